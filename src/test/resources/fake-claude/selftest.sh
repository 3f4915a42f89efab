#!/usr/bin/env bash
# Self-test of the fake `claude` next to this script. Run: bash selftest.sh  (exit 0 = all passed)
set -u
here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
fake=$here/claude
captures=$here/../cli-captures
work=$(mktemp -d "${TMPDIR:-/tmp}/fake-claude-selftest.XXXXXX")
started=()   # pids we started that may still run
cleanup() {
  local p
  for p in "${started[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
# the fake's own temp files go here, so we can check they are removed
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
unset "${!FAKE_CLAUDE_@}"

fails=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
now_ms() { local t; t=$(date +%s%N); printf '%s' $((t / 1000000)); }
msg() { printf '{"type":"user","message":{"role":"user","content":"%s"}}\n' "$1"; }
# wait_for COND_CMD...: poll up to 5 s
wait_for() { local i; for ((i = 0; i < 100; i++)); do "$@" && return 0; sleep 0.05; done; return 1; }
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
has_lines() { [[ -f $1 ]] && (( $(wc -l < "$1") >= $2 )); }

# --- replay --------------------------------------------------------------------------------
msg hello | "$fake" -p --input-format stream-json > "$work/out" 2> "$work/err"; rc=$?
check "replay 01-stream-json: exit 0" test "$rc" = 0
check "replay 01-stream-json: stdout byte for byte" cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"
check "replay 01-stream-json: stderr empty" test ! -s "$work/err"

msg 'fake:case=60-err-401' | "$fake" -p > "$work/out" 2>/dev/null; rc=$?
check "replay 60-err-401: exit 1" test "$rc" = 1
check "replay 60-err-401: stdout" cmp -s "$work/out" "$captures/60-err-401/stdout.jsonl"

msg 'fake:case=78-session-id-invalid' | "$fake" > "$work/out" 2> "$work/err"; rc=$?
check "replay 78 (empty stdout, stderr): exit 1, stderr copied" \
  eval '[[ $rc = 1 && ! -s $work/out ]] && cmp -s "$work/err" "$captures/78-session-id-invalid/stderr.txt"'

msg 'fake:case=59-fallback-model-529' | "$fake" > /dev/null 2>&1; rc=$?
check "replay rc -9 -> exit 137" test "$rc" = 137

msg x | FAKE_CLAUDE_CASE=111-sigterm-midstream "$fake" > /dev/null 2>&1; rc=$?
check "replay via env FAKE_CLAUDE_CASE, rc 143" test "$rc" = 143

msg 'fake:case=01-stream-json, fake:mode=replay' | FAKE_CLAUDE_CASE=60-err-401 FAKE_CLAUDE_MODE=die \
  "$fake" > "$work/out" 2>/dev/null; rc=$?
check "stdin directive overrides env" \
  eval '[[ $rc = 0 ]] && cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"'

msg 'fake:case=no-such-case' | "$fake" > "$work/out" 2> "$work/err"; rc=$?
check "missing case: exit 64 + message" \
  eval '[[ $rc = 64 && ! -s $work/out && $(<"$work/err") == "fake claude: no case no-such-case" ]]'

msg 'fake:mode=bogus' | "$fake" > /dev/null 2>&1; rc=$?
check "bad mode: exit 64" test "$rc" = 64

bad=
for d in "$captures"/*/; do
  d=${d%/}; name=${d##*/}
  printf 'fake:case=%s' "$name" | "$fake" > "$work/out" 2> "$work/err"; rc=$?
  want=$(grep -o '"rc": *-\?[0-9]*' "$d/timing.json" | grep -o -- '-\?[0-9]*$')
  (( want < 0 )) && want=$((128 - want))
  cmp -s "$work/out" "$d/stdout.jsonl" && cmp -s "$work/err" "$d/stderr.txt" && [[ $rc = "$want" ]] ||
    bad+=" $name"
done
check "replay of every capture is byte exact with the recorded rc${bad:+ (bad:$bad)}" test -z "$bad"

t0=$(now_ms)
msg 'fake:pace=150' | "$fake" > "$work/out"; rc=$?
t=$(( $(now_ms) - t0 ))
check "pace=150 over 3 lines takes >= 300 ms (took $t)" \
  eval '[[ $rc = 0 && $t -ge 300 ]] && cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"'

# --- hang ----------------------------------------------------------------------------------
msg 'fake:mode=hang fake:after=1' | "$fake" > "$work/hang.out" 2>/dev/null &
pid=$!; started+=("$pid")
wait_for has_lines "$work/hang.out" 1
sleep 0.2
check "hang: printed exactly 1 line and still running" \
  eval '[[ $(wc -l < "$work/hang.out") = 1 ]] && alive $pid'
children=$(cat /proc/$pid/task/*/children 2>/dev/null)
t0=$(now_ms)
kill -TERM "$pid"; wait "$pid"; rc=$?
t=$(( $(now_ms) - t0 ))
check "hang: SIGTERM ends it promptly (${t} ms) with 143" eval '[[ $rc = 143 && $t -lt 1000 ]]'
ok=1; for c in $children; do wait_for dead "$c" || ok=0; done
check "hang: its sleep child is gone too (children: ${children:-none seen})" test "$ok" = 1

# SIGTERM while stdin is still open (the fake is still reading it)
mkfifo "$work/fifo"
exec 7<> "$work/fifo"
"$fake" < "$work/fifo" > /dev/null 2>&1 &
pid=$!; started+=("$pid")
sleep 0.3
t0=$(now_ms)
kill -TERM "$pid"; wait "$pid"; rc=$?
t=$(( $(now_ms) - t0 ))
exec 7>&-
check "SIGTERM while stdin is open: exit 143 promptly (${t} ms)" eval '[[ $rc = 143 && $t -lt 1000 ]]'

# --- turn loop: one process, many stdin lines ----------------------------------------------
cap=$captures/01-stream-json/stdout.jsonl
ncap=$(wc -l < "$cap")
# signal_and_wait SIG PID: sends SIG, waits (KILLs it after 5 s), sets $rc and $t (ms)
signal_and_wait() {
  local t0; t0=$(now_ms)
  kill -"$1" "$2"
  wait_for dead "$2" || kill -KILL "$2"
  wait "$2"; rc=$?
  t=$(( $(now_ms) - t0 ))
}
children_gone() { local c; for c in $1; do wait_for dead "$c" || return 1; done; }

# turn N's expected output: the case with the cumulative total and result_index N-1
cum() { sed "/\"type\":\"result\"/{s/\"total_cost_usd\":0.049436,/\"total_cost_usd\":$1,/;s/\"result_index\":0,/\"result_index\":$2,/}" "$cap"; }
cum 0.098872 1 > "$work/turn2.want"
cum 0.148308 2 > "$work/turn3.want"
check "turn loop: the expected outputs differ from the case only in the result line" eval \
  '[[ $(diff "$cap" "$work/turn2.want" | grep -c "^[<>]") = 2 ]] &&
   grep -q "\"total_cost_usd\":0.098872,.*\"result_index\":1,\|\"result_index\":1,.*\"total_cost_usd\":0.098872," "$work/turn2.want"'

mkfifo "$work/turns.fifo"
exec 8<> "$work/turns.fifo"
FAKE_CLAUDE_TURNLOG=$work/turnlog "$fake" -p < "$work/turns.fifo" > "$work/turns.out" 2> "$work/turns.err" 8>&- &
pid=$!; started+=("$pid")
msg "first fake:stdinfile=$work/turn.stdin" >&8
wait_for has_lines "$work/turns.out" "$ncap"
sleep 0.2
check "turn 1: the case byte for byte, the process waits for more stdin" \
  eval 'cmp -s "$work/turns.out" "$cap" && alive $pid'
sleep 0.3
msg "second fake:stdinfile=$work/turn.stdin" >&8
wait_for has_lines "$work/turns.out" $((2 * ncap))
sleep 0.2
check "turn 2: full output while stdin is still open, same process" \
  eval '[[ $(wc -l < "$work/turns.out") = $((2 * ncap)) ]] && alive $pid'
check "turn 2: total_cost_usd is the sum of both turns, result_index 1, the rest unchanged" \
  cmp -s <(tail -n "$ncap" "$work/turns.out") "$work/turn2.want"
check "turn 2: stdinfile holds only the second line" \
  cmp -s "$work/turn.stdin" <(msg "second fake:stdinfile=$work/turn.stdin")
printf '\n' >&8   # an empty line is not a turn
msg third >&8
wait_for has_lines "$work/turns.out" $((3 * ncap))
check "turn 3 (after an empty line): total of three turns, result_index 2" \
  cmp -s <(tail -n "$ncap" "$work/turns.out") "$work/turn3.want"
exec 8>&-
wait_for dead "$pid" || kill -KILL "$pid"
wait "$pid"; rc=$?
check "turn loop: exit 0 at stdin EOF, nothing on stderr" eval '[[ $rc = 0 && ! -s $work/turns.err && $(wc -l < "$work/turns.out") = $((3 * ncap)) ]]'
check "turnlog: one 'pid P turn N' line per turn" \
  cmp -s "$work/turnlog" <(printf 'pid %s turn %s\n' "$pid" 1 "$pid" 2 "$pid" 3)

# several lines at once, stdin closed at once: all turns run, as the real CLI does
{ msg one; msg two; } | "$fake" > "$work/out" 2>/dev/null; rc=$?
check "two lines then EOF: two turns, second cumulative, exit 0" \
  eval '[[ $rc = 0 ]] && cmp -s "$work/out" <(cat "$cap" "$work/turn2.want")'

# a turn whose case fails ends the process, although stdin is still open
exec 8<> "$work/turns.fifo"
"$fake" < "$work/turns.fifo" > "$work/out" 2>/dev/null 8>&- &
pid=$!; started+=("$pid")
msg one >&8
msg 'fake:case=60-err-401' >&8
wait_for dead "$pid" || kill -KILL "$pid"
wait "$pid"; rc=$?
exec 8>&-
check "a failing second turn exits with its case rc (1) while stdin is open" \
  eval '[[ $rc = 1 && $(wc -l < "$work/out") = $((ncap + $(wc -l < "$captures/60-err-401/stdout.jsonl"))) ]]'

# no line at all: like the real CLI, no output and exit 0
FAKE_CLAUDE_TURNLOG=$work/turnlog0 "$fake" < /dev/null > "$work/out" 2>&1; rc=$?
check "no stdin line: no output, no turn, exit 0" eval '[[ $rc = 0 && ! -s $work/out && ! -e $work/turnlog0 ]]'

# SIGTERM / SIGINT while waiting for the next line
exec 8<> "$work/turns.fifo"
"$fake" < "$work/turns.fifo" > "$work/out" 2>/dev/null 8>&- &
pid=$!; started+=("$pid")
msg one >&8
wait_for has_lines "$work/out" "$ncap"
sleep 0.2
waiting=0; alive "$pid" && cmp -s "$work/out" "$cap" && waiting=1
signal_and_wait TERM "$pid"
check "SIGTERM while waiting for a second line: exit 143 promptly (${t} ms)" eval '[[ $waiting = 1 && $rc = 143 && $t -lt 1000 ]]'
# background jobs of a script ignore SIGINT (and then bash cannot trap it) unless job control is on
set -m
"$fake" < "$work/turns.fifo" > "$work/out" 2>/dev/null 8>&- &
pid=$!; started+=("$pid")
set +m
msg one >&8
wait_for has_lines "$work/out" "$ncap"
sleep 0.2
waiting=0; alive "$pid" && cmp -s "$work/out" "$cap" && waiting=1
signal_and_wait INT "$pid"
check "SIGINT while waiting for a second line: exit 130 promptly (${t} ms)" eval '[[ $waiting = 1 && $rc = 130 && $t -lt 1000 ]]'
exec 8>&-

# --- nostdin -------------------------------------------------------------------------------
mkfifo "$work/nostdin.fifo"
exec 9<> "$work/nostdin.fifo"
msg 'fake:case=no-such-case' >&9   # would make it exit 64 at once, were it read
FAKE_CLAUDE_MODE=nostdin "$fake" < "$work/nostdin.fifo" > "$work/out" 2> "$work/err" 9>&- &
pid=$!; started+=("$pid")
sleep 0.4
check "nostdin: still running, printed nothing" eval 'alive $pid && [[ ! -s $work/out && ! -s $work/err ]]'
children=$(cat /proc/$pid/task/*/children 2>/dev/null)
signal_and_wait TERM "$pid"
check "nostdin: SIGTERM ends it promptly (${t} ms) with 143" eval '[[ $rc = 143 && $t -lt 1000 ]]'
check "nostdin: its sleep child is gone too" children_gone "$children"
back=
IFS= read -r -t 1 -u 9 back
check "nostdin: the stdin line was never consumed" test "$back" = "$(msg 'fake:case=no-such-case')"
# mode=nostdin given in a line: that line is read, nothing more
msg 'fake:mode=nostdin' >&9
msg 'fake:case=no-such-case' >&9
"$fake" < "$work/nostdin.fifo" > "$work/out" 2> "$work/err" 9>&- &
pid=$!; started+=("$pid")
sleep 0.4
check "fake:mode=nostdin in a line: still running, printed nothing" eval 'alive $pid && [[ ! -s $work/out && ! -s $work/err ]]'
signal_and_wait TERM "$pid"
back=
IFS= read -r -t 1 -u 9 back
check "fake:mode=nostdin in a line: exit 143, the next line not consumed" \
  eval '[[ $rc = 143 && $back == "$(msg "fake:case=no-such-case")" ]]'
exec 9>&-

# --- FAKE_CLAUDE_START_MS ------------------------------------------------------------------
t0=$(now_ms)
FAKE_CLAUDE_START_MS=800 "$fake" < <(msg hi) > "$work/start.out" 2>/dev/null &
pid=$!; started+=("$pid")
sleep 0.4
check "FAKE_CLAUDE_START_MS=800: nothing printed after 400 ms although the line was written" \
  eval 'alive $pid && [[ ! -s $work/start.out ]]'
wait_for dead "$pid" || kill -KILL "$pid"
wait "$pid"; rc=$?
t=$(( $(now_ms) - t0 ))
check "FAKE_CLAUDE_START_MS=800: then the case, exit 0, after >= 800 ms (${t} ms)" \
  eval '[[ $rc = 0 && $t -ge 800 ]] && cmp -s "$work/start.out" "$cap"'
exec 8<> "$work/turns.fifo"
FAKE_CLAUDE_START_MS=100000 "$fake" < "$work/turns.fifo" > "$work/out" 2>/dev/null 8>&- &
pid=$!; started+=("$pid")
msg hi >&8
sleep 0.3
children=$(cat /proc/$pid/task/*/children 2>/dev/null)
signal_and_wait TERM "$pid"
exec 8>&-
check "SIGTERM during the start-up sleep: 143 promptly (${t} ms), nothing printed" \
  eval '[[ $rc = 143 && $t -lt 1000 && ! -s $work/out ]]'
check "start-up sleep child gone" children_gone "$children"
msg hi | FAKE_CLAUDE_START_MS=soon "$fake" > /dev/null 2>&1; rc=$?
check "bad FAKE_CLAUDE_START_MS: exit 64" test "$rc" = 64

# --- grandchild / pidfile ------------------------------------------------------------------
msg "fake:grandchild=1 fake:pidfile=$work/pids" | "$fake" > "$work/out" 2>/dev/null &
pid=$!; wait "$pid"; rc=$?
self=$(sed -n 's/^self //p' "$work/pids")
gc=$(sed -n 's/^grandchild //p' "$work/pids")
[[ -n $gc ]] && started+=("$gc")
check "pidfile: self pid recorded" test "$self" = "$pid"
check "grandchild: pid recorded and alive after the fake exited" \
  eval '[[ $rc = 0 && -n $gc ]] && alive $gc && [[ $(cat /proc/$gc/comm 2>/dev/null) = sleep ]]'
[[ -n $gc ]] && kill "$gc" 2>/dev/null

rm -f "$work/pids"
msg "fake:pidfile=$work/pids" | "$fake" > /dev/null
check "pidfile without grandchild: only a self line" eval '[[ $(wc -l < "$work/pids") = 1 ]] && grep -q "^self " "$work/pids"'

# --- die / garbage / longline --------------------------------------------------------------
msg 'fake:mode=die fake:exit=5' | "$fake" > "$work/out" 2>/dev/null; rc=$?
check "die: exit 5 after the first 2 lines" \
  eval '[[ $rc = 5 ]] && cmp -s "$work/out" <(head -n 2 "$captures/01-stream-json/stdout.jsonl")'
msg 'fake:mode=die' | FAKE_CLAUDE_AFTER=1 "$fake" > "$work/out" 2>/dev/null; rc=$?
check "die: default exit 1, after from env" eval '[[ $rc = 1 && $(wc -l < "$work/out") = 1 ]]'

msg 'fake:mode=garbage' | "$fake" > "$work/out" 2>/dev/null; rc=$?
n=$(wc -l < "$captures/01-stream-json/stdout.jsonl")
check "garbage: line 2 is the garbage line, then the rest, exit 0" \
  eval '[[ $rc = 0 && $(sed -n 2p "$work/out") == "this is not json {" && $(wc -l < "$work/out") = $((n + 1)) ]] &&
        cmp -s <(sed 2d "$work/out") "$captures/01-stream-json/stdout.jsonl"'

msg 'fake:mode=longline fake:bytes=100000' | "$fake" > "$work/out" 2>/dev/null; rc=$?
line2=$(sed -n 2p "$work/out")
check "longline bytes=100000: line 2 is 100000 chars of junk JSON" \
  eval '[[ $rc = 0 && ${#line2} = 100000 && $line2 == "{\"type\":\"system\",\"subtype\":\"junk\",\"data\":\"xxx"*"xxx\"}" && $(wc -l < "$work/out") = 2 ]]'
t0=$(now_ms)
msg 'fake:mode=longline' | "$fake" > "$work/out" 2>/dev/null; rc=$?
t=$(( $(now_ms) - t0 ))
len=$(sed -n 2p "$work/out" | wc -c)
check "longline default: 10000000 chars + newline (${t} ms)" eval '[[ $rc = 0 && $len = 10000001 ]]'

# --- argvfile / stdinfile ------------------------------------------------------------------
msg "fake:argvfile=$work/argv fake:stdinfile=$work/stdin" > "$work/stdin.sent"
"$fake" -p --tools "" --model 'a b' < "$work/stdin.sent" > /dev/null
check "argvfile: one argument per line, empty argument kept" \
  cmp -s "$work/argv" <(printf '%s\n' -p --tools '' --model 'a b')
check "stdinfile: byte for byte copy of stdin" cmp -s "$work/stdin" "$work/stdin.sent"
msg x | FAKE_CLAUDE_ARGVFILE=$work/argv0 "$fake" > /dev/null
check "argvfile without arguments: empty file" eval '[[ -f $work/argv0 && ! -s $work/argv0 ]]'

# --- --version -----------------------------------------------------------------------------
out=$(FAKE_CLAUDE_VERSION_LOG=$work/vlog "$fake" --version); rc=$?
out2=$(FAKE_CLAUDE_VERSION_LOG=$work/vlog FAKE_CLAUDE_VERSION=9.9.9 "$fake" --version < /dev/null)
check "--version: default text, exit 0" eval '[[ $rc = 0 && $out == "2.1.331 (Claude Code)" && $out2 == 9.9.9 ]]'
check "--version: each call logged" eval '[[ $(cat "$work/vlog") == $'"'"'version\nversion'"'"' ]]'
out=$(FAKE_CLAUDE_VERSION_EXIT=3 "$fake" --version 2> "$work/err"); rc=$?
check "--version broken: exit 3, nothing on stdout, message on stderr" \
  eval '[[ $rc = 3 && -z $out && $(<"$work/err") == "fake claude: broken" ]]'

# --- mode=tools and MCP, as far as no server is needed (FakeCliMcpTest runs it against one) --
refused='{"mcpServers":{"proxy":{"type":"http","url":"http://127.0.0.1:1/mcp/abc"}}}'
no_tools_ok() {   # no_tools_ok FILE: the message `No tools` as stream events, assistant and result lines
  [[ $(grep -c '^{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_fake_[0-9]*_1_1"' "$1") = 1 &&
     $(grep -c '"delta":{"type":"text_delta","text":"No tools"}' "$1") = 1 &&
     $(grep -c '^{"type":"assistant","message":{"id":"msg_fake_[0-9]*_1_1",.*"content":\[{"type":"text","text":"No tools"}\]' "$1") = 1 &&
     $(tail -n 1 "$1") == '{"type":"result","subtype":"success","is_error":false,'*'"result":"No tools","stop_reason":"end_turn",'*'"total_cost_usd":0.001,'* ]]
}
msg 'fake:mode=tools' | "$fake" -p --session-id 11111111-2222-4333-8444-555555555555 > "$work/out" 2> "$work/err"; rc=$?
check "tools without --mcp-config: init line with no servers and no tools, first" eval \
  '[[ $(head -n 1 "$work/out") == "{\"type\":\"system\",\"subtype\":\"init\","*"\"tools\":[],\"mcp_servers\":[],\"model\":\"claude-fake\","* ]]'
check "tools without --mcp-config: session_id is the --session-id on every line" eval \
  '[[ $(grep -c "\"session_id\":\"11111111-2222-4333-8444-555555555555\"" "$work/out") = $(wc -l < "$work/out") ]]'
check "tools without --mcp-config: the answer No tools, success, exit 0, no stderr" eval \
  '[[ $rc = 0 && ! -s $work/err && $(wc -l < "$work/out") = 9 ]] && no_tools_ok "$work/out"'

{ msg 'fake:mode=tools'; msg 'fake:mode=tools'; } | FAKE_CLAUDE_MODE=tools "$fake" > "$work/out" 2>/dev/null; rc=$?
check "tools, two turns: one init line, the second result cumulative (0.002), exit 0" eval \
  '[[ $rc = 0 && $(grep -c "\"subtype\":\"init\"" "$work/out") = 1 && $(grep -c "\"type\":\"result\"" "$work/out") = 2 &&
     $(tail -n 1 "$work/out") == *"\"total_cost_usd\":0.002,"*"\"result_index\":1,"* && $(grep -c "msg_fake_[0-9]*_2_1" "$work/out") = 2 ]]'

t0=$(now_ms)
msg 'fake:mode=tools fake:calls=Bash' | "$fake" -p --mcp-config "$refused" --allowedTools 'mcp__proxy__*' > "$work/out" 2> "$work/err"; rc=$?
t=$(( $(now_ms) - t0 ))
check "tools, server refused: status failed, no tools, promptly (${t} ms)" eval \
  '[[ $(head -n 1 "$work/out") == *"\"tools\":[],\"mcp_servers\":[{\"name\":\"proxy\",\"status\":\"failed\"}],"* && $t -lt 2000 ]]'
check "tools, server refused: No tools, exit 0, no stderr" eval '[[ $rc = 0 && ! -s $work/err ]] && no_tools_ok "$work/out"'

printf '%s' '{"mcpServers":{"srv":{"type":"http","url":"http://127.0.0.1:1/x"}}}' > "$work/mcp.json"
msg 'fake:mode=tools fake:mcp=fail' | "$fake" --mcp-config "$work/mcp.json" > "$work/out" 2>/dev/null; rc=$?
check "mcp=fail, config in a file: its server named, status failed" eval \
  '[[ $rc = 0 && $(head -n 1 "$work/out") == *"\"mcp_servers\":[{\"name\":\"srv\",\"status\":\"failed\"}],"* ]] && no_tools_ok "$work/out"'
msg 'fake:mode=tools' | FAKE_CLAUDE_MCP=fail "$fake" --mcp-config='{"mcpServers":{"p":{"url":"http://localhost:1/"}}}' > "$work/out" 2>/dev/null
check "FAKE_CLAUDE_MCP=fail, --mcp-config=JSON: status failed" \
  eval '[[ $(head -n 1 "$work/out") == *"\"mcp_servers\":[{\"name\":\"p\",\"status\":\"failed\"}],"* ]]'
msg 'fake:mode=tools fake:mcp=maybe' | "$fake" --mcp-config "$refused" > /dev/null 2>&1; rc=$?
check "bad mcp: exit 64" test "$rc" = 64

msg hello | "$fake" -p --mcp-config "$refused" > "$work/out" 2> "$work/err"; rc=$?
check "replay with a refused --mcp-config: the case byte for byte, exit 0" \
  eval '[[ $rc = 0 && ! -s $work/err ]] && cmp -s "$work/out" "$cap"'

# --- temp files ----------------------------------------------------------------------------
left=$(ls -A "$TMPDIR")
check "no temp files left behind${left:+ ($left)}" test -z "$left"

if (( fails )); then
  printf '%d check(s) FAILED\n' "$fails"
  exit 1
fi
printf 'all checks passed\n'
