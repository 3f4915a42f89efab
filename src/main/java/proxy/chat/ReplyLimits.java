package proxy.chat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import proxy.chat.ReplyEvent.BlockStopped;
import proxy.chat.ReplyEvent.BlocksAbandoned;
import proxy.chat.ReplyEvent.Failed;
import proxy.chat.ReplyEvent.Finished;
import proxy.chat.ReplyEvent.Started;
import proxy.chat.ReplyEvent.TextDelta;
import proxy.chat.ReplyEvent.ThinkingDelta;
import proxy.chat.ReplyEvent.ToolInputDelta;

/**
 * Enforces, between the engine and an API's sink, the two output limits the Claude CLI has no
 * flag for: stop sequences and (as a backstop) max_tokens. Everything else passes through.
 *
 * <p>Stop sequences are matched on the text of each text block, across delta boundaries, never
 * across blocks, never in thinking or tool input. The reply ends at the match that starts
 * earliest in the block (ties: the longer sequence), exactly as if the whole text had been
 * searched at once. When the limits end a reply, {@code next} gets the text before the end,
 * {@code BlockStopped}, then a {@code Finished} of our own, and {@link #accept} returns false
 * (so the engine kills the CLI, whose turn is cut short) now and for every later event.
 *
 * <p>Invariants: {@code held} is the longest suffix of text block {@code heldIndex}'s text that
 * is a proper prefix of some stop sequence; nothing before it can start a match any more, so
 * only it waits, and it is shorter than the longest stop sequence. It may contain a complete
 * match that a longer sequence starting earlier could still beat. {@code passedChars} counts
 * exactly the text, thinking and tool-input characters given to {@code next}.
 */
public final class ReplyLimits implements ReplySink {

    /**
     * An estimate: we see characters, not the model's tokens, and about four characters of
     * English make a token. The CLI enforces the real limit (CLAUDE_CODE_MAX_OUTPUT_TOKENS);
     * this only catches a CLI that ignores or overshoots it, so a client never gets more than
     * it asked for by much.
     */
    static final int CHARS_PER_TOKEN = 4;

    private final ReplySink next;
    private final List<String> stops;
    private final int longestStop;
    private final long maxChars; // -1: no limit

    private Usage startUsage = Usage.ZERO;
    private long passedChars;
    private String held = "";
    private int heldIndex = -1;
    private boolean ended;
    private boolean cutShort;

    public ReplyLimits(ReplySink next, List<String> stopSequences, OptionalInt maxTokens) {
        this.next = next;
        // an empty sequence would end every reply before its first character: no client means that
        this.stops = stopSequences.stream().filter(s -> !s.isEmpty()).toList();
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
        this.maxChars = maxTokens.isPresent() ? (long) maxTokens.getAsInt() * CHARS_PER_TOKEN : -1;
    }

    /** {@code next} itself when the conversation sets no limits, else {@code next} behind them. */
    public static ReplySink around(ReplySink next, Conversation c) {
        if (c.stopSequences().isEmpty() && c.maxTokens().isEmpty()) {
            return next;
        }
        return new ReplyLimits(next, c.stopSequences(), c.maxTokens());
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        if (ended) {
            return false;
        }
        boolean more = handle(event);
        ended = !more; // also when next said it needs nothing more: nothing after that is wanted
        return more;
    }

    @Override
    public boolean quiet() throws IOException {
        // after our Finished the client's stream is complete: no keep-alives, and nothing more to wait for
        return !ended && next.quiet();
    }

    @Override
    public void flush() throws IOException {
        next.flush();
    }

    private boolean handle(ReplyEvent event) throws IOException {
        return switch (event) {
            case TextDelta t -> text(t);
            case Failed f -> {
                held = ""; // the reply failed: what was held back is not part of any answer
                yield next.accept(f);
            }
            case BlocksAbandoned a when heldIndex >= a.fromIndex() -> {
                held = ""; // the CLI dropped that block: its held text is moot and must not end the reply
                yield next.accept(a);
            }
            default -> releaseHeld() && passOn(event);
        };
    }

    private boolean passOn(ReplyEvent event) throws IOException {
        return switch (event) {
            case Started s -> {
                startUsage = s.usage();
                yield next.accept(s);
            }
            case ThinkingDelta d -> pass(d.index(), d.thinking(), x -> new ThinkingDelta(d.index(), x));
            // a tool input cut at the limit is invalid JSON; the client learns from max_tokens why
            case ToolInputDelta d -> pass(d.index(), d.partialJson(), x -> new ToolInputDelta(d.index(), x));
            default -> next.accept(event); // a CLI Finished keeps its real usage
        };
    }

    private boolean text(TextDelta t) throws IOException {
        if (t.index() != heldIndex && !releaseHeld()) { // text of a new block: the old one's is complete
            return false;
        }
        heldIndex = t.index();
        return release(held + t.text(), true);
    }

    /** Gives the held text out as if its block ended here: it may hold a match that now wins. */
    private boolean releaseHeld() throws IOException {
        return held.isEmpty() || release(held, false);
    }

    /**
     * Passes on the part of {@code pending} (the block's unsent text) that no stop sequence can
     * still claim, or ends the reply at a match that nothing can beat any more. With
     * {@code more} false, no text follows, so every match is final.
     */
    private boolean release(String pending, boolean more) throws IOException {
        held = "";
        int keep = more ? holdStart(pending) : pending.length();
        int match = pending.length();
        String sequence = null;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (at < match || at == match && s.length() > sequence.length())) {
                match = at;
                sequence = s;
            }
        }
        // a match at or after keep might yet lose to a longer one, or to one starting at keep
        if (sequence != null && match < keep) {
            return pass(heldIndex, pending.substring(0, match), this::textDelta)
                    && end(heldIndex, StopReason.STOP_SEQUENCE, Optional.of(sequence));
        }
        held = pending.substring(keep);
        return pass(heldIndex, pending.substring(0, keep), this::textDelta);
    }

    /** Where the longest suffix of {@code text} that is a proper prefix of a stop sequence starts. */
    private int holdStart(String text) {
        int n = text.length();
        for (int p = Math.max(0, n - longestStop + 1); p < n; p++) {
            for (String s : stops) {
                if (s.length() > n - p && s.regionMatches(0, text, p, n - p)) {
                    return p;
                }
            }
        }
        return n;
    }

    private ReplyEvent textDelta(String text) {
        return new TextDelta(heldIndex, text);
    }

    /** Passes on a delta's text, or as much as max_tokens allows and then ends the reply. */
    private boolean pass(int index, String text, Function<String, ReplyEvent> delta) throws IOException {
        if (text.isEmpty()) {
            return true; // an empty delta is noise to every client
        }
        if (maxChars < 0 || passedChars + text.length() <= maxChars) {
            passedChars += text.length();
            return next.accept(delta.apply(text));
        }
        int fit = (int) (maxChars - passedChars);
        if (fit > 0 && Character.isHighSurrogate(text.charAt(fit - 1))) {
            fit--; // half a surrogate pair is not a character and no JSON writer wants it
        }
        if (fit > 0) {
            passedChars += fit;
            if (!next.accept(delta.apply(text.substring(0, fit)))) {
                return false;
            }
        }
        return end(index, StopReason.MAX_TOKENS, Optional.empty());
    }

    /**
     * Whether the limits ended the reply (a stop sequence, the token cap), so the client got
     * less than the CLI said. Its CLI must not be kept: its history holds the whole answer. (The
     * limits settle at the latest when a block stops, before the CLI's result, so the engine
     * sees such a turn cut short anyway; this makes the rule not depend on that order.)
     */
    public boolean cutShort() {
        return cutShort;
    }

    /** Ends the reply for the limits: closes the open block and finishes; always false. */
    private boolean end(int index, StopReason reason, Optional<String> sequence) throws IOException {
        cutShort = true;
        long outputTokens = (passedChars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
        if (next.accept(new BlockStopped(index))) {
            next.accept(new Finished(reason, sequence, startUsage.withOutputTokens(outputTokens)));
        }
        return false;
    }
}
