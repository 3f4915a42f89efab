package proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import proxy.anthropic.StrictAnthropicStream;
import proxy.json.Node;
import proxy.openai.StrictOpenAiStream;

/**
 * Replies of both APIs read the way a client reads them (streams through the strict parsers,
 * bodies checked for their {@code object}/{@code type}), reduced to what tool tests look at:
 * the text, the client tool calls and whether the reply stopped for them.
 */
public final class ToolReplies {

    private ToolReplies() {
    }

    /** A client tool call as the client got it; {@code arguments} is the JSON text (OpenAI) or the input as compact JSON (Anthropic). */
    public record Call(String id, String name, String arguments) {
    }

    /**
     * A reply: its text (text blocks joined), its tool calls in order, its finish reason
     * ({@code finish_reason} or {@code stop_reason}) and whether that reason is "stopped for tool calls".
     */
    public record Reply(String text, List<Call> calls, String finish, boolean toolStop) {
    }

    /** The two APIs. */
    public enum Api {
        OPENAI("/v1/chat/completions"),
        ANTHROPIC("/v1/messages");

        public final String path;

        Api(String path) {
            this.path = path;
        }

        /** A tool with a one-property schema. */
        public String tool(String name) {
            String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}";
            return this == OPENAI
                    ? "{\"type\":\"function\",\"function\":{\"name\":" + str(name) + ",\"description\":\"Tool " + name.length()
                            + "\",\"parameters\":" + schema + "}}"
                    : "{\"name\":" + str(name) + ",\"description\":\"Tool " + name.length() + "\",\"input_schema\":" + schema + "}";
        }

        /** A request body; {@code toolChoice} is raw JSON or null, {@code messages} JSON objects. */
        public String request(boolean stream, List<String> tools, String toolChoice, List<String> messages) {
            StringBuilder b = new StringBuilder("{\"model\":").append(this == OPENAI ? "\"gpt-4o\"" : "\"opus\",\"max_tokens\":64000");
            b.append(",\"stream\":").append(stream);
            if (!tools.isEmpty()) {
                b.append(",\"tools\":[").append(String.join(",", tools)).append(']');
            }
            if (toolChoice != null) {
                b.append(",\"tool_choice\":").append(toolChoice);
            }
            return b.append(",\"messages\":[").append(String.join(",", messages)).append("]}").toString();
        }

        public String user(String text) {
            return "{\"role\":\"user\",\"content\":" + str(text) + "}";
        }

        /**
         * The assistant message a client sends back for {@code reply}: OpenAI {@code content: null}
         * (as the OpenAI and Agents SDKs send a message with calls) with the calls and their
         * arguments as received; Anthropic the content blocks as received (text and tool_use).
         */
        public String echo(Reply reply) {
            if (this == OPENAI) {
                return "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + reply.calls().stream()
                        .map(c -> "{\"id\":" + str(c.id()) + ",\"type\":\"function\",\"function\":{\"name\":" + str(c.name())
                                + ",\"arguments\":" + str(c.arguments()) + "}}")
                        .collect(Collectors.joining(",")) + "]}";
            }
            List<String> blocks = new ArrayList<>();
            if (!reply.text().isEmpty()) {
                blocks.add("{\"type\":\"text\",\"text\":" + str(reply.text()) + "}");
            }
            for (Call c : reply.calls()) {
                blocks.add("{\"type\":\"tool_use\",\"id\":" + str(c.id()) + ",\"name\":" + str(c.name()) + ",\"input\":" + c.arguments() + "}");
            }
            return "{\"role\":\"assistant\",\"content\":[" + String.join(",", blocks) + "]}";
        }

        /**
         * The messages that answer calls: OpenAI one {@code tool} message each (then the extra text
         * as a user message); Anthropic one user message of tool_result blocks (then the extra text
         * as a text block in it). {@code extraText} may be null.
         */
        public List<String> results(List<Result> results, String extraText) {
            if (this == OPENAI) {
                List<String> out = new ArrayList<>();
                for (Result r : results) {
                    out.add("{\"role\":\"tool\",\"tool_call_id\":" + str(r.id()) + ",\"content\":" + str(r.text()) + "}");
                }
                if (extraText != null) {
                    out.add(user(extraText));
                }
                return out;
            }
            List<String> blocks = new ArrayList<>();
            for (Result r : results) {
                blocks.add("{\"type\":\"tool_result\",\"tool_use_id\":" + str(r.id()) + ",\"content\":" + str(r.text())
                        + (r.isError() ? ",\"is_error\":true" : "") + "}");
            }
            if (extraText != null) {
                blocks.add("{\"type\":\"text\",\"text\":" + str(extraText) + "}");
            }
            return List.of("{\"role\":\"user\",\"content\":[" + String.join(",", blocks) + "]}");
        }

        /** Reads a 200 reply of this API, streamed or not, strictly. */
        public Reply read(String body, boolean stream, boolean includeUsage) {
            return this == OPENAI ? (stream ? openAiStream(body, includeUsage) : openAiBody(body))
                    : (stream ? anthropicStream(body) : anthropicBody(body));
        }
    }

    /** A tool result a client sends back. */
    public record Result(String id, String text, boolean isError) {
    }

    public static String str(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    public static Node json(String s) {
        try {
            return Node.parse(s);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + s, e);
        }
    }

    /** An OpenAI stream, choice 0 (a legacy {@code function_call} counts as a call without id). */
    public static Reply openAiStream(String body, boolean includeUsage) {
        StrictOpenAiStream.Result r = StrictOpenAiStream.parse(body, includeUsage);
        StrictOpenAiStream.Choice c = r.choices().get(0);
        assertNotNull(c, "choice 0: " + body);
        List<Call> calls = new ArrayList<>(c.toolCalls().stream().map(t -> new Call(t.id(), t.name(), t.arguments())).toList());
        if (c.functionCall() != null) {
            calls.add(new Call(null, c.functionCall().name(), c.functionCall().arguments()));
        }
        return new Reply(c.content(), calls, c.finishReason(),
                c.finishReason().equals("tool_calls") || c.finishReason().equals("function_call"));
    }

    /** An OpenAI {@code chat.completion} body, choice 0. */
    public static Reply openAiBody(String body) {
        Node n = json(body);
        assertEquals("chat.completion", n.text("object"), body);
        assertTrue(n.text("id") != null && n.text("id").startsWith("chatcmpl-"), body);
        assertFalse(n.get("choices").elements().isEmpty(), body);
        Node choice = n.get("choices").elements().get(0);
        assertEquals(0, choice.get("index").longValue(-1), body);
        Node message = choice.get("message");
        assertEquals("assistant", message.text("role"), body);
        String finish = choice.text("finish_reason");
        assertNotNull(finish, body);
        List<Call> calls = new ArrayList<>();
        for (Node t : message.get("tool_calls").elements()) {
            assertEquals("function", t.text("type"), body);
            String args = t.get("function").text("arguments");
            assertNotNull(args, "arguments is a string: " + body);
            calls.add(new Call(t.text("id"), t.get("function").text("name"), args));
        }
        if (message.get("function_call").isObject()) {
            calls.add(new Call(null, message.get("function_call").text("name"), message.get("function_call").text("arguments")));
        }
        boolean toolStop = finish.equals("tool_calls") || finish.equals("function_call");
        assertEquals(!calls.isEmpty(), toolStop, "finish_reason " + finish + " fits the calls: " + body);
        for (Call c : calls) {
            assertTrue(json(c.arguments()).isObject(), "arguments are a JSON object: " + body);
        }
        return new Reply(Optional.ofNullable(message.text("content")).orElse(""), calls, finish, toolStop);
    }

    public static Reply anthropicStream(String body) {
        StrictAnthropicStream.Message m = StrictAnthropicStream.parse(body);
        StringBuilder text = new StringBuilder();
        List<Call> calls = new ArrayList<>();
        for (StrictAnthropicStream.Block b : m.content()) {
            if (b instanceof StrictAnthropicStream.Text t) {
                text.append(t.text());
            } else if (b instanceof StrictAnthropicStream.ToolUse u) {
                calls.add(new Call(u.id(), u.name(), json(u.inputJson()).toJson()));
            }
        }
        return new Reply(text.toString(), calls, m.stopReason(), m.stopReason().equals("tool_use"));
    }

    /** An Anthropic {@code message} body. */
    public static Reply anthropicBody(String body) {
        Node n = json(body);
        assertEquals("message", n.text("type"), body);
        assertEquals("assistant", n.text("role"), body);
        assertTrue(n.text("id") != null && n.text("id").startsWith("msg_"), body);
        String stop = n.text("stop_reason");
        assertNotNull(stop, body);
        StringBuilder text = new StringBuilder();
        List<Call> calls = new ArrayList<>();
        for (Node b : n.get("content").elements()) {
            switch (String.valueOf(b.text("type"))) {
                case "text" -> text.append(b.text("text"));
                case "tool_use" -> {
                    assertTrue(b.get("input").isObject(), body);
                    calls.add(new Call(b.text("id"), b.text("name"), b.get("input").toJson()));
                }
                default -> { }
            }
        }
        assertEquals(!calls.isEmpty(), stop.equals("tool_use"), "stop_reason " + stop + " fits the calls: " + body);
        return new Reply(text.toString(), calls, stop, stop.equals("tool_use"));
    }
}
