package proxy.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import proxy.chat.ErrorKind;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.StopReason;
import proxy.chat.Usage;
import proxy.json.Node;

/**
 * Turns the CLI's {@code --output-format stream-json} lines into {@link ReplyEvent}s
 * (cli-protocol.md §2-§5, §13). One reader per CLI run; not thread-safe.
 *
 * <p>What it takes care of:
 * <ul>
 * <li>{@code stream_event} lines carry the upstream SSE events. One turn may hold several API
 *     messages (tool rounds), each with indexes from 0: blocks are renumbered 0, 1, 2... over
 *     the whole reply.
 * <li>{@code assistant} lines repeat streamed blocks and are skipped, except for messages that
 *     were never streamed (the non-streamed retry after a broken stream, capture 104, or a CLI
 *     run without partial messages): their blocks are emitted whole.
 * <li>Synthetic error messages ({@code model: "<synthetic>"}) are not answers; the
 *     {@code result} line says what failed.
 * <li>{@code result} ends the reply: per-request {@code usage} (not the session-cumulative
 *     cost fields), or the error mapped through {@link CliErrors}.
 * <li>Calls of the client's tools (served by the proxy's tool server, named
 *     {@code mcp__proxy__X}: {@link ToolNames}) come out under the client's names. A message
 *     that stops for them ends the reply ({@code Finished} with {@code TOOL_USE}, the message's
 *     own usage) while the CLI waits for their results: the turn is {@link #held}, and a new
 *     reader takes the CLI's output from there once the results are given. With client tools,
 *     the CLI's own tool calls (agent mode) are not shown: the client must not answer them.
 * <li>Unknown line types, event types and fields are skipped; a line that is not JSON is a
 *     {@link CliOutputException}.
 * </ul>
 */
public final class CliEventReader {

    private static final System.Logger LOG = System.getLogger(CliEventReader.class.getName());
    /** The tool through which the CLI returns an answer under {@code --json-schema} (cli-protocol.md §12). */
    static final String STRUCTURED_OUTPUT = "StructuredOutput";

    /**
     * Whether the run has a JSON schema: then the {@code StructuredOutput} call's input is the
     * answer, streamed as text, other text is the model thinking aloud and is dropped, and a run
     * that ends without {@code structured_output} failed.
     */
    private final boolean structured;
    /** Our indexes of text blocks that carry a StructuredOutput call's input. */
    private final Set<Integer> structuredBlocks = new HashSet<>();
    /** StructuredOutput call ids → our block index, to drop an attempt the CLI rejects. */
    private final Map<String, Integer> structuredCalls = new HashMap<>();
    /**
     * With a schema, the reply starts only with the StructuredOutput block: a run that ends in
     * prose then fails before anything was sent, and the client gets a status, not a broken stream.
     */
    private ReplyEvent.Started deferredStart;

    /** The client's tools, by the names the model calls them. */
    private final ToolNames tools;
    /** Whether the CLI was given the proxy's tool server, which it must have reached. */
    private final boolean toolServer;
    /** Client tool calls of the API message being read, in order. */
    private final List<String> clientCalls = new ArrayList<>();
    private boolean held;
    /** The usage of the held reply, if this one was held. */
    private Usage heldUsage = Usage.ZERO;
    /**
     * What replies held earlier in this CLI turn already reported: the {@code result} line
     * counts the whole turn, so a continuation reports the rest.
     */
    private Usage reportedEarlier = Usage.ZERO;
    /** The message of the last {@code assistant} line that was not streamed. */
    private String unstreamedMessage;

    private String model = "";
    private boolean started;
    private boolean finished;
    private int nextIndex;
    /** Upstream block index → our index, for the API message being streamed. */
    private final Map<Long, Integer> blockIndex = new HashMap<>();
    /** Ids of the API messages whose blocks were streamed: their {@code assistant} lines repeat them. */
    private final Set<String> streamedMessages;
    private StopReason stopReason = StopReason.END_TURN;
    private Optional<String> stopSequence = Optional.empty();
    /** Usage of the API message being streamed, as its message_start gave it. */
    private Usage messageUsage = Usage.ZERO;
    private Optional<Duration> lastRetryDelay = Optional.empty();
    /** The {@code error} of the last synthetic error message ({@code authentication_failed}, ...): see {@link CliErrors}. */
    private Optional<String> apiError = Optional.empty();
    private boolean sessionNotFound;
    private boolean completed;

    public CliEventReader() {
        this(false);
    }

    public CliEventReader(boolean structured) {
        this(structured, ToolNames.of(List.of()), false, new HashSet<>());
    }

    /**
     * @param streamedMessages ids of messages streamed so far by this process, shared with the
     *                         reader of the turn before when that one was held (the CLI repeats
     *                         a held message in an {@code assistant} line after it stopped)
     */
    CliEventReader(boolean structured, ToolNames tools, boolean toolServer, Set<String> streamedMessages) {
        this.structured = structured;
        this.tools = tools;
        this.toolServer = toolServer;
        this.streamedMessages = streamedMessages;
    }

    /** Reads one stdout line and returns the events it makes (often none). */
    public List<ReplyEvent> read(String line) throws CliOutputException {
        List<ReplyEvent> out = new ArrayList<>(2);
        if (finished || line.isBlank()) {
            return out;
        }
        DeltaLine fast = DeltaLine.parse(line);
        if (fast != null) {
            Integer index = blockIndex.get(fast.index());
            if (index != null) {
                delta(index, fast.type(), fast.value(), structuredBlocks.contains(index), out);
            }
            return out;
        }
        Node n;
        try {
            n = Node.parse(line);
        } catch (IOException e) {
            throw new CliOutputException("the CLI printed a line that is not JSON");
        }
        String type = n.text("type");
        switch (type == null ? "" : type) {
            case "system" -> system(n, out);
            case "stream_event" -> streamEvent(n.get("event"), n, out);
            case "assistant" -> assistant(n, out);
            case "user" -> rejectedStructuredOutput(n, out);
            case "result" -> result(n, out);
            default -> { } // control_response, future types
        }
        return out;
    }

    /**
     * Called when stdout ended: if no result came, the run failed; says how. {@code exitCode}
     * is empty when the process had not exited (it was killed after its stdout closed).
     */
    public List<ReplyEvent> end(java.util.OptionalInt exitCode) {
        if (finished) {
            return List.of();
        }
        finished = true;
        String how = exitCode.isEmpty() ? "did not exit"
                : exitCode.getAsInt() > 128 ? "was ended by signal " + (exitCode.getAsInt() - 128)
                : "exited with code " + exitCode.getAsInt();
        return List.of(new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The Claude CLI " + how + " without an answer"));
    }

    /** Whether the run ended because {@code --resume} did not find the seeded session. */
    public boolean sessionNotFound() {
        return sessionNotFound;
    }

    /**
     * Whether the turn ended with a successful {@code result} line: the CLI then waits for its
     * next user line with a history that holds exactly this reply. Not after a failure, and not
     * after a reply ended at max_tokens (the CLI would still be resuming it).
     */
    public boolean completed() {
        return completed;
    }

    /**
     * Whether the reply ended with calls of client tools that the CLI now waits on: it is
     * continued when their results are given, not with a user line.
     */
    public boolean held() {
        return held;
    }

    /** The usage the held reply reported (zero unless held). */
    Usage heldUsage() {
        return heldUsage;
    }

    /** Makes this reader's final usage what the turn used beyond {@code earlier}, already reported by held replies. */
    void continuing(Usage earlier) {
        reportedEarlier = earlier;
    }

    /** The tool_use ids of the client tool calls the held reply ended with, in order. */
    List<String> heldCalls() {
        return held ? List.copyOf(clientCalls) : List.of();
    }

    /** Whether a {@code result} line (or the end) has been read. */
    public boolean finished() {
        return finished;
    }

    private void system(Node n, List<ReplyEvent> out) {
        switch (String.valueOf(n.text("subtype"))) {
            case "init" -> {
                model = n.text("model") == null ? model : n.text("model");
                if (toolServer && !reachedToolServer(n)) {
                    // the CLI goes on without the tools when their server failed: never run a request so
                    finished = true;
                    out.add(new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY,
                            "The Claude CLI could not reach the proxy's tool server, so the request was not run"));
                }
            }
            case "api_retry" -> {
                long delay = n.get("retry_delay_ms").longValue(-1);
                lastRetryDelay = delay < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(delay));
                LOG.log(Level.DEBUG, "CLI retries the API call (attempt {0}, status {1})",
                        n.get("attempt").longValue(0), n.get("error_status"));
            }
            case "permission_denied" -> LOG.log(Level.INFO, "CLI refused a call of tool {0}", n.text("tool_name"));
            default -> { } // status, thinking_tokens, informational, model_fallback, ...
        }
    }

    private static boolean reachedToolServer(Node init) {
        return init.get("mcp_servers").elements().stream()
                .anyMatch(s -> ToolNames.SERVER.equals(s.text("name")) && "connected".equals(s.text("status")));
    }

    private void streamEvent(Node e, Node line, List<ReplyEvent> out) {
        String type = String.valueOf(e.text("type"));
        switch (type) {
            case "message_start" -> {
                Node message = e.get("message");
                streamedMessages.add(String.valueOf(message.text("id")));
                messageUsage = usage(message.get("usage"));
                blockIndex.clear();
                clientCalls.clear();
                start(message, out);
            }
            case "content_block_start" -> {
                Node block = e.get("content_block");
                Block kind = blockKind(block);
                if (kind != null) {
                    int index = nextIndex++;
                    blockIndex.put(e.get("index").longValue(-1), index);
                    if (isStructuredOutput(block)) {
                        structuredBlocks.add(index);
                        structuredCalls.put(String.valueOf(block.text("id")), index);
                    }
                    releaseStart(out);
                    out.add(new ReplyEvent.BlockStarted(index, kind));
                }
            }
            case "content_block_delta" -> {
                Integer index = blockIndex.get(e.get("index").longValue(-1));
                if (index != null) {
                    Node delta = e.get("delta");
                    String kind = String.valueOf(delta.text("type"));
                    delta(index, kind, delta.text(DELTA_FIELDS.getOrDefault(kind, "")), structuredBlocks.contains(index), out);
                }
            }
            case "content_block_stop" -> {
                Integer index = blockIndex.get(e.get("index").longValue(-1));
                if (index != null) {
                    out.add(new ReplyEvent.BlockStopped(index));
                }
            }
            case "message_delta" -> {
                Node delta = e.get("delta");
                if (delta.text("stop_reason") != null) {
                    stopReason = StopReason.fromWire(delta.text("stop_reason"));
                    stopSequence = Optional.ofNullable(delta.text("stop_sequence"));
                }
                if (stopReason == StopReason.TOOL_USE && !clientCalls.isEmpty()) {
                    // the client answers these calls: its reply ends here, the CLI waits for the results
                    hold(messageUsage.withOutputTokens(e.get("usage").get("output_tokens").longValue(0)), out);
                } else if (stopReason == StopReason.MAX_TOKENS) {
                    // The reply is at its limit. The CLI would go on with up to three "resume"
                    // calls and then report an error; the API ends here (x-max-tokens-* captures).
                    finished = true;
                    releaseStart(out);
                    out.add(new ReplyEvent.Finished(StopReason.MAX_TOKENS, Optional.empty(),
                            messageUsage.withOutputTokens(e.get("usage").get("output_tokens").longValue(0))));
                }
            }
            case "message_stop" -> {
                // the CLI puts this beside the event, not in it (capture 104)
                Node abandoned = line.get("abandoned_blocks");
                if (abandoned.isObject()) {
                    Integer from = blockIndex.get(abandoned.get("from_block_index").longValue(-1));
                    if (from != null) {
                        out.add(new ReplyEvent.BlocksAbandoned(from));
                    }
                }
                blockIndex.clear();
            }
            default -> { } // ping, error (the CLI retries itself), future events
        }
    }

    private void hold(Usage usage, List<ReplyEvent> out) {
        finished = true;
        held = true;
        heldUsage = usage;
        releaseStart(out);
        out.add(new ReplyEvent.Finished(StopReason.TOOL_USE, Optional.empty(), usage));
    }

    /** What a content block becomes for the client, or null when the client does not see it. */
    private Block blockKind(Node block) {
        return switch (String.valueOf(block.text("type"))) {
            case "text" -> structured ? null : new Block.Text(); // with a schema, only the JSON is the answer
            case "thinking" -> new Block.Thinking();
            case "tool_use" -> toolUse(block);
            default -> null; // redacted_thinking, server tool blocks: not shown
        };
    }

    private Block toolUse(Node block) {
        if (isStructuredOutput(block)) {
            return new Block.Text();
        }
        String id = String.valueOf(block.text("id"));
        String clientName = tools.clientName(block.text("name"));
        if (clientName != null) {
            clientCalls.add(id);
            return new Block.ToolCall(id, clientName);
        }
        // the CLI's own tool, answered by the CLI: hidden where the client has tools of its own to answer
        return toolServer ? null : new Block.CliToolCall(id, String.valueOf(block.text("name")));
    }

    private boolean isStructuredOutput(Node block) {
        return structured && "tool_use".equals(block.text("type")) && STRUCTURED_OUTPUT.equals(block.text("name"));
    }

    /** The field that carries each delta type's payload. */
    private static final Map<String, String> DELTA_FIELDS = Map.of("text_delta", "text", "thinking_delta", "thinking",
            "signature_delta", "signature", "input_json_delta", "partial_json");

    /** One delta of block {@code index}: its type and payload (see {@link DeltaLine}). */
    private static void delta(int index, String type, String value, boolean structuredText, List<ReplyEvent> out) {
        String payload = String.valueOf(value);
        switch (type) {
            case "text_delta" -> out.add(new ReplyEvent.TextDelta(index, payload));
            case "thinking_delta" -> out.add(new ReplyEvent.ThinkingDelta(index, payload));
            case "signature_delta" -> out.add(new ReplyEvent.SignatureDelta(index, payload));
            case "input_json_delta" -> out.add(structuredText
                    ? new ReplyEvent.TextDelta(index, payload) : new ReplyEvent.ToolInputDelta(index, payload));
            default -> { } // citations_delta and future deltas
        }
    }

    /** An {@code assistant} line: used only for messages that were not streamed. */
    private void assistant(Node n, List<ReplyEvent> out) {
        Node message = n.get("message");
        if (streamedMessages.contains(String.valueOf(message.text("id")))) {
            return; // its blocks came as stream events
        }
        if (n.get("is_api_error_message").isTrue() || "<synthetic>".equals(message.text("model"))) {
            apiError = Optional.ofNullable(n.text("error")).or(() -> apiError);
            return; // an error shown as text; the result line carries the error
        }
        start(message, out);
        String id = String.valueOf(message.text("id"));
        if (!id.equals(unstreamedMessage)) { // the CLI may print one line per block of a message
            unstreamedMessage = id;
            clientCalls.clear();
        }
        for (Node block : message.get("content").elements()) {
            Block kind = blockKind(block);
            if (kind == null) {
                continue;
            }
            int index = nextIndex++;
            if (isStructuredOutput(block)) {
                structuredCalls.put(String.valueOf(block.text("id")), index);
            }
            releaseStart(out);
            out.add(new ReplyEvent.BlockStarted(index, kind));
            switch (kind) {
                case Block.Text t -> out.add(new ReplyEvent.TextDelta(index, isStructuredOutput(block)
                        ? block.get("input").toJson() : String.valueOf(block.text("text"))));
                case Block.Thinking t -> {
                    out.add(new ReplyEvent.ThinkingDelta(index, String.valueOf(block.text("thinking"))));
                    if (block.text("signature") != null) {
                        out.add(new ReplyEvent.SignatureDelta(index, block.text("signature")));
                    }
                }
                case Block.ToolCall t -> out.add(new ReplyEvent.ToolInputDelta(index, block.get("input").toJson()));
                case Block.CliToolCall t -> out.add(new ReplyEvent.ToolInputDelta(index, block.get("input").toJson()));
            }
            out.add(new ReplyEvent.BlockStopped(index));
        }
        if (message.text("stop_reason") != null) {
            stopReason = StopReason.fromWire(message.text("stop_reason"));
            stopSequence = Optional.ofNullable(message.text("stop_sequence"));
        }
        if ("tool_use".equals(message.text("stop_reason")) && !clientCalls.isEmpty()) { // this message's own stop
            hold(usage(message.get("usage")), out);
        }
    }

    private void start(Node message, List<ReplyEvent> out) {
        if (!started) {
            started = true;
            String m = message.text("model");
            ReplyEvent.Started s = new ReplyEvent.Started(m == null ? model : m, usage(message.get("usage")));
            if (structured) {
                deferredStart = s;
            } else {
                out.add(s);
            }
        }
    }

    private void releaseStart(List<ReplyEvent> out) {
        if (deferredStart != null) {
            out.add(deferredStart);
            deferredStart = null;
        }
    }

    /**
     * A {@code user} line carries tool results (cli-protocol.md §2). An error result for a
     * StructuredOutput call means the CLI rejected that JSON (it did not match the schema) and
     * asks again: the attempt's block is superseded, like a broken stream's.
     */
    private void rejectedStructuredOutput(Node n, List<ReplyEvent> out) {
        for (Node block : n.get("message").get("content").elements()) {
            Integer index = structuredCalls.remove(String.valueOf(block.text("tool_use_id")));
            if (index != null && block.get("is_error").isTrue()) {
                out.add(new ReplyEvent.BlocksAbandoned(index));
            }
        }
    }

    private void result(Node n, List<ReplyEvent> out) {
        finished = true;
        String subtype = String.valueOf(n.text("subtype"));
        if (!n.get("is_error").isTrue() && subtype.equals("success")) {
            if (structured && !n.has("structured_output")) {
                // the model answered in prose twice despite the CLI's nudge: no answer, not an empty one
                out.add(new ReplyEvent.Failed(ErrorKind.BAD_GATEWAY, "The model did not answer in the requested JSON format"));
                return;
            }
            if (!started) {
                started = true;
                out.add(new ReplyEvent.Started(model, Usage.ZERO));
            }
            releaseStart(out);
            StopReason reason = n.text("stop_reason") != null ? StopReason.fromWire(n.text("stop_reason")) : stopReason;
            if (structured && reason == StopReason.TOOL_USE) {
                reason = StopReason.END_TURN; // the StructuredOutput call is the answer, not a call for the client
            }
            Optional<String> sequence = reason == StopReason.STOP_SEQUENCE ? stopSequence : Optional.empty();
            out.add(new ReplyEvent.Finished(reason, sequence, usage(n.get("usage")).withCost(turnCost(n)).minus(reportedEarlier)));
            completed = true;
            return;
        }
        out.add(failure(n));
    }

    /** The failure of an unsuccessful result: {@link CliErrors} holds the table. */
    private ReplyEvent.Failed failure(Node n) {
        sessionNotFound |= CliErrors.sessionNotFound(n);
        return CliErrors.forResult(n, apiError, lastRetryDelay);
    }

    /**
     * What this turn cost. {@code total_cost_usd} counts every turn the process has run
     * (cli-protocol.md §2, result), so the turn's own share is the sum over the models of
     * {@code model_usage_since_last_result}; a process's first result may fall back on the total.
     */
    private static final MathContext COST_DIGITS = new MathContext(10);

    static Optional<BigDecimal> turnCost(Node result) {
        Node sinceLast = result.get("model_usage_since_last_result");
        if (sinceLast.isObject()) {
            BigDecimal sum = BigDecimal.ZERO;
            boolean any = false;
            for (Node model : sinceLast.values()) {
                Optional<BigDecimal> cost = model.get("costUSD").decimalValue();
                if (cost.isPresent()) {
                    sum = sum.add(cost.get());
                    any = true;
                }
            }
            return any ? Optional.of(dollars(sum)) : Optional.empty();
        }
        return result.get("result_index").longValue(-1) == 0
                ? result.get("total_cost_usd").decimalValue().map(CliEventReader::dollars) : Optional.empty();
    }

    /**
     * A cost with the CLI's floating-point noise taken off: it sums doubles, and prints
     * 6.000000000000001e-06 for 0.000006. Ten significant digits keep every real digit.
     */
    private static BigDecimal dollars(BigDecimal cost) {
        BigDecimal rounded = cost.round(COST_DIGITS).stripTrailingZeros();
        return rounded.signum() == 0 ? BigDecimal.ZERO : rounded;
    }

    private static Usage usage(Node u) {
        return new Usage(
                u.get("input_tokens").longValue(0),
                u.get("output_tokens").longValue(0),
                u.get("cache_creation_input_tokens").longValue(0),
                u.get("cache_read_input_tokens").longValue(0));
    }
}
