/*
 * fake-claude: a stand-in for the Claude Code CLI that costs next to nothing, so that a
 * benchmark measures the proxy and not the CLI. It speaks the CLI's print-mode protocol
 * (docs: shared/cli-protocol.md sections 2, 3 and 6; captures 02-stream-json-partial and
 * 80-stdin-two-msgs-then-eof):
 *
 *   fake-claude --version          prints "2.1.331 (Claude Code)"
 *   fake-claude -p --input-format stream-json ...
 *                                  a long-lived CLI: after the start-up delay it reads stdin
 *                                  line by line and answers every non-empty line with one turn,
 *                                  until stdin ends (then exit 0)
 *   fake-claude -p ... PROMPT      (no --input-format stream-json) one turn, then exit 0, as the
 *                                  npm peer claude-max-api-proxy runs the CLI
 *
 * One turn is the exact line sequence of capture 02: system/init, system/status, stream_event
 * message_start, content_block_start, N content_block_delta (text_delta), assistant,
 * content_block_stop, message_delta, message_stop, result. total_cost_usd is cumulative over
 * the turns of the process and result_index counts them, as the real CLI does. Every line is
 * written with one write(2), so it is never held in a buffer.
 *
 * Each delta's text is "t<CLOCK_REALTIME microseconds>; lorem": the time it was written, so a
 * client can compute every event's delay through whatever sits between it and this process.
 *
 * Settings, from the environment (the proxy passes its own environment to the CLI):
 *   FAKE_START_MS  500  start-up delay: nothing is read from stdin before it has passed
 *   FAKE_TTFT_MS   0    per turn: time from the user line to message_start
 *   FAKE_DELTAS    50   per turn: number of text deltas
 *   FAKE_PACE_MS   0    per turn: pause between two deltas
 * The turn's own text may override the last three with "bench:ttft=N", "bench:deltas=N" and
 * "bench:pace=N" (first occurrence wins), so one proxy can serve differently shaped turns.
 *
 * SIGTERM exits 143 and SIGINT 130, like the real CLI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VERSION "2.1.331 (Claude Code)"
#define COST_PER_TURN 0.049444
#define DELTA_PAD " lorem"

/* ---- a growable byte buffer ------------------------------------------------------------ */

struct buf {
    char *data;
    size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more) {
    if (b->len + more + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1) {
        cap *= 2;
    }
    b->data = realloc(b->data, cap);
    if (!b->data) {
        _exit(70);
    }
    b->cap = cap;
}

static void buf_add(struct buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            _exit(70);
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        buf_reserve(b, (size_t)n);
    }
}

static void buf_str(struct buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

/* Appends s as a JSON string body (no quotes): the model name comes from argv. */
static void buf_json(struct buf *b, const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf_printf(b, "\\%c", c);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_add(b, (const char *)&c, 1);
        }
    }
}

/* ---- output ----------------------------------------------------------------------------- */

static struct buf line;

/* Writes the line buffer plus '\n' in one go. A reader that went away ends us quietly. */
static void emit(void) {
    buf_str(&line, "\n");
    for (size_t off = 0; off < line.len;) {
        ssize_t n = write(STDOUT_FILENO, line.data + off, line.len - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            _exit(0); /* EPIPE: the proxy closed our stdout */
        }
        off += (size_t)n;
    }
    line.len = 0;
}

/* ---- time ------------------------------------------------------------------------------- */

static long long now_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_ms(long ms) {
    if (ms <= 0) {
        return;
    }
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* ---- ids -------------------------------------------------------------------------------- */

static unsigned long long rng;

static unsigned long long next_random(void) {
    rng ^= rng << 13; /* xorshift64: ids only need to look like ids */
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char session_id[37];

static void make_uuid(char out[37]) {
    unsigned long long a = next_random(), b = next_random();
    snprintf(out, 37, "%08llx-%04llx-4%03llx-a%03llx-%012llx", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
             b >> 52, b & 0xffffffffffffULL);
}

/* The fields that end every line but the result: session, uuid, message id. */
static void tail(const char *message_id) {
    char uuid[37];
    make_uuid(uuid);
    buf_printf(&line, "\"session_id\":\"%s\",\"parent_tool_use_id\":null,\"uuid\":\"%s\"", session_id, uuid);
    if (message_id) {
        buf_printf(&line, ",\"api_message_id\":\"%s\"", message_id);
    }
    buf_str(&line, "}");
}

/* ---- settings --------------------------------------------------------------------------- */

struct turn_settings {
    long ttft_ms, deltas, pace_ms;
};

static long env_long(const char *name, long fallback) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

/* "bench:KEY=N" anywhere in text overrides *value. */
static void directive(const char *text, const char *key, long *value) {
    const char *hit = strstr(text, key);
    if (hit) {
        *value = strtol(hit + strlen(key), NULL, 10);
    }
}

static struct turn_settings settings_for(const char *text, struct turn_settings defaults) {
    directive(text, "bench:ttft=", &defaults.ttft_ms);
    directive(text, "bench:deltas=", &defaults.deltas);
    directive(text, "bench:pace=", &defaults.pace_ms);
    return defaults;
}

/* ---- one turn --------------------------------------------------------------------------- */

static const char *model = "claude-opus-5-5";
static char cwd[4096] = "/";
static double total_cost;
static struct buf text; /* the turn's whole answer, for the assistant and result lines */

static void init_line(void) {
    char uuid[37];
    make_uuid(uuid);
    /* capture 02's init line with the chat-mode tool list (--tools ""): same fields, same size class */
    buf_str(&line, "{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"");
    buf_json(&line, cwd);
    buf_printf(&line, "\",\"session_id\":\"%s\",\"tools\":[],\"mcp_servers\":[],\"model\":\"", session_id);
    buf_json(&line, model);
    buf_printf(&line,
        "\",\"permissionMode\":\"default\",\"slash_commands\":[\"deep-research\",\"dataviz\",\"update-config\","
        "\"verify\",\"debug\",\"code-review\",\"simplify\",\"batch\",\"fewer-permission-prompts\",\"doctor\",\"loop\","
        "\"claude-api\",\"compact\",\"context\",\"cost\",\"init\",\"review\",\"security-review\"],"
        "\"apiKeySource\":\"ANTHROPIC_API_KEY\",\"claude_code_version\":\"2.1.331\",\"output_style\":\"default\","
        "\"agents\":[\"claude\",\"Explore\",\"general-purpose\",\"Plan\",\"statusline-setup\"],"
        "\"skills\":[\"deep-research\",\"dataviz\",\"update-config\",\"verify\",\"debug\",\"code-review\"],"
        "\"plugins\":[],\"capabilities\":[\"interrupt_receipt_v1\",\"msg_lifecycle_v1\"],"
        "\"analytics_disabled\":true,\"uuid\":\"%s\",\"memory_paths\":{\"auto\":\"$HOME/.claude/projects/memory/\"},"
        "\"fast_mode_state\":\"off\"}", uuid);
    emit();
}

static void usage_object(long input, long output) {
    buf_printf(&line, "{\"input_tokens\":%ld,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
               "\"output_tokens\":%ld}", input, output);
}

static void result_line(int index, long deltas, long long started_ns) {
    char uuid[37];
    make_uuid(uuid);
    long ms = (long)((now_ns(CLOCK_MONOTONIC) - started_ns) / 1000000);
    total_cost += COST_PER_TURN;
    buf_printf(&line, "{\"duration_api_ms\":%ld,\"stop_reason\":\"end_turn\",\"session_id\":\"%s\","
               "\"total_cost_usd\":%.6f,\"usage\":", ms, session_id, total_cost);
    usage_object(12306, deltas);
    buf_printf(&line, ",\"modelUsage\":{\"");
    buf_json(&line, model);
    buf_printf(&line, "\":{\"inputTokens\":12306,\"outputTokens\":%ld,\"cacheReadInputTokens\":0,"
               "\"cacheCreationInputTokens\":0,\"webSearchRequests\":0,\"costUSD\":%.6f,\"contextWindow\":1000000,"
               "\"maxOutputTokens\":128000}},\"permission_denials\":[],\"terminal_reason\":\"completed\","
               "\"is_error\":false,\"num_turns\":1,\"subtype\":\"success\",\"api_error_status\":null,\"result\":\"",
               deltas, total_cost);
    buf_add(&line, text.data ? text.data : "", text.len);
    buf_printf(&line, "\",\"type\":\"result\",\"duration_ms\":%ld,\"uuid\":\"%s\",\"queued_turn_count\":0,"
               "\"result_index\":%d}", ms, uuid, index);
    emit();
}

static void turn(const char *input, int index, struct turn_settings defaults) {
    struct turn_settings s = settings_for(input, defaults);
    long long started = now_ns(CLOCK_MONOTONIC);
    char message_id[32];
    snprintf(message_id, sizeof message_id, "msg_fake_%016llx", next_random());

    init_line();
    buf_str(&line, "{\"type\":\"system\",\"subtype\":\"status\",\"status\":\"requesting\",");
    tail(NULL);
    emit();
    sleep_ms(s.ttft_ms);

    buf_printf(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_start\",\"message\":{\"id\":\"%s\","
               "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"", message_id);
    buf_json(&line, model);
    buf_str(&line, "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
    usage_object(12306, 1);
    buf_printf(&line, "}},\"ttft_ms\":%ld,", s.ttft_ms);
    tail(message_id);
    emit();

    buf_str(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_start\",\"index\":0,"
            "\"content_block\":{\"type\":\"text\",\"text\":\"\"}},");
    tail(message_id);
    emit();

    text.len = 0;
    for (long i = 0; i < s.deltas; i++) {
        if (i > 0) {
            sleep_ms(s.pace_ms);
        }
        char piece[64];
        int n = snprintf(piece, sizeof piece, "t%lld;" DELTA_PAD, now_ns(CLOCK_REALTIME) / 1000);
        buf_add(&text, piece, (size_t)n);
        buf_str(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,"
                "\"delta\":{\"type\":\"text_delta\",\"text\":\"");
        buf_add(&line, piece, (size_t)n);
        buf_str(&line, "\"}},");
        tail(message_id);
        emit();
    }

    char uuid[37];
    make_uuid(uuid);
    buf_printf(&line, "{\"type\":\"assistant\",\"message\":{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\","
               "\"model\":\"", message_id);
    buf_json(&line, model);
    buf_str(&line, "\",\"content\":[{\"type\":\"text\",\"text\":\"");
    buf_add(&line, text.data ? text.data : "", text.len);
    buf_str(&line, "\"}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
    usage_object(12306, 1);
    buf_printf(&line, ",\"context_management\":null},\"parent_tool_use_id\":null,\"session_id\":\"%s\","
               "\"uuid\":\"%s\",\"timestamp\":\"2026-11-24T19:15:24.417Z\",\"request_id\":\"req_fake_%d\"}",
               session_id, uuid, index + 1);
    emit();

    buf_str(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_stop\",\"index\":0},");
    tail(message_id);
    emit();
    buf_printf(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
               "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":%ld}},", s.deltas);
    tail(message_id);
    emit();
    buf_str(&line, "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_stop\"},");
    tail(message_id);
    emit();
    result_line(index, s.deltas, started);
}

/* ---- main ------------------------------------------------------------------------------- */

static void on_signal(int sig) {
    _exit(sig == SIGTERM ? 143 : 130);
}

/* Reads stdin line by line (any length) and runs a turn for each non-empty line, until EOF. */
static void serve_stdin(struct turn_settings defaults) {
    struct buf in = {0};
    size_t scanned = 0;
    int index = 0;
    for (;;) {
        char *nl = in.len > scanned ? memchr(in.data + scanned, '\n', in.len - scanned) : NULL;
        if (!nl) {
            scanned = in.len;
            buf_reserve(&in, 65536);
            ssize_t n = read(STDIN_FILENO, in.data + in.len, in.cap - in.len - 1);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return; /* EOF (a last line without '\n' is not a complete stream-json line) */
            }
            in.len += (size_t)n;
            in.data[in.len] = '\0';
            continue;
        }
        *nl = '\0';
        if (nl > in.data) {
            turn(in.data, index++, defaults);
        }
        size_t rest = in.len - (size_t)(nl + 1 - in.data);
        memmove(in.data, nl + 1, rest);
        in.len = rest;
        in.data[in.len] = '\0';
        scanned = 0;
    }
}

int main(int argc, char **argv) {
    long long started = now_ns(CLOCK_MONOTONIC);
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        puts(VERSION);
        return 0;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout shows up as EPIPE in emit() */
    rng = (unsigned long long)now_ns(CLOCK_REALTIME) ^ ((unsigned long long)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
    make_uuid(session_id);
    if (!getcwd(cwd, sizeof cwd)) {
        strcpy(cwd, "/");
    }

    int stream_input = 0;
    struct buf args = {0}; /* all arguments: the positional prompt's directives, in prompt mode */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
            model = argv[i + 1];
        }
        if (strcmp(argv[i], "--input-format") == 0 && i + 1 < argc && strcmp(argv[i + 1], "stream-json") == 0) {
            stream_input = 1;
        }
        buf_add(&args, argv[i], strlen(argv[i]));
        buf_add(&args, " ", 1);
    }
    struct turn_settings defaults = {env_long("FAKE_TTFT_MS", 0), env_long("FAKE_DELTAS", 50),
                                     env_long("FAKE_PACE_MS", 0)};

    /* the start-up delay counts from exec, as the real CLI's does */
    long long ready = started + env_long("FAKE_START_MS", 500) * 1000000LL;
    long long wait = ready - now_ns(CLOCK_MONOTONIC);
    if (wait > 0) {
        sleep_ms((long)((wait + 999999) / 1000000));
    }
    if (stream_input) {
        serve_stdin(defaults);
    } else {
        turn(args.data, 0, defaults);
    }
    return 0;
}
