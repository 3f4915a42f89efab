package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import proxy.json.Node;

/**
 * A strict reader of an OpenAI chat completion chunk stream, checking what the OpenAI SDKs
 * and the stricter third-party clients rely on (api-contract.md §0.7-0.10, §2.6, §6): bare
 * {@code data:} frames ending with {@code [DONE]}; one id, {@code created} and model; a
 * {@code choices} array on every chunk with {@code index}; the role first in each choice; one
 * finish reason per choice, after its content; usage only when asked, in a last chunk with
 * {@code choices: []}, and {@code "usage": null} on every other chunk then.
 *
 * <p>Tool calls, as the SDKs' stream accumulators read them: per choice, {@code tool_calls}
 * indexes 0, 1, 2... in order; a call's first delta has its id (unique in the stream),
 * {@code type: "function"}, its name and a string {@code arguments}; its later deltas only the
 * index and an arguments fragment. The deprecated {@code function_call} delta is the same without
 * index, id and type, and one per choice. A choice with calls finishes with {@code tool_calls}
 * ({@code function_call}) or {@code length}; {@code tool_calls} ({@code function_call}) only
 * after calls; and then every call's arguments are one JSON object.
 */
public final class StrictOpenAiStream {

    /** One choice as a client accumulates it; {@code functionCall} is the deprecated form's call, or null. */
    public record Choice(String content, String reasoning, String finishReason, List<ToolCall> toolCalls,
            ToolCall functionCall) {}

    /** A tool call as accumulated; a deprecated {@code function_call} has no id. */
    public record ToolCall(String id, String name, String arguments) {}

    /** A call being accumulated. */
    private record Accumulating(String id, String name, StringBuilder arguments) {
        ToolCall done() {
            return new ToolCall(id, name, arguments.toString());
        }
    }

    /** The accumulated stream; {@code usage} is null when none was sent. */
    public record Result(String id, String model, Map<Integer, Choice> choices, Node usage, List<Integer> order) {}

    /** An in-stream error chunk ({@code {"error":{...}}}), which the SDKs raise as an APIError. */
    public static final class StreamError extends RuntimeException {
        public final String type;

        StreamError(String type, String message) {
            super(type + ": " + message);
            this.type = type;
        }
    }

    private StrictOpenAiStream() {
    }

    public static Result parse(String body, boolean includeUsage) {
        List<String> frames = new ArrayList<>();
        for (String block : body.split("\n\n", -1)) {
            if (block.isEmpty()) {
                continue;
            }
            if (block.startsWith(":")) {
                continue; // keep-alive comment
            }
            assertTrue(block.startsWith("data: ") && !block.contains("\n"), "a frame is one data line: " + block);
            frames.add(block.substring(6));
        }
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream ends with [DONE]");
        assertEquals(1, frames.stream().filter("[DONE]"::equals).count(), "one [DONE]");

        String id = null;
        String model = null;
        long created = -1;
        Map<Integer, StringBuilder> content = new TreeMap<>();
        Map<Integer, StringBuilder> reasoning = new TreeMap<>();
        Map<Integer, String> finish = new TreeMap<>();
        Map<Integer, List<Accumulating>> calls = new TreeMap<>();
        Map<Integer, Accumulating> functionCalls = new TreeMap<>();
        List<String> ids = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        Node usage = null;
        for (String data : frames.subList(0, frames.size() - 1)) {
            Node chunk = json(data);
            if (chunk.has("error")) {
                throw new StreamError(chunk.get("error").text("type"), chunk.get("error").text("message"));
            }
            assertEquals("chat.completion.chunk", chunk.text("object"));
            if (id == null) {
                id = chunk.text("id");
                model = chunk.text("model");
                created = chunk.get("created").longValue(-1);
                assertTrue(id.startsWith("chatcmpl-"), id);
                assertTrue(created > 0 && created < 100_000_000_000L, "created is Unix seconds");
            }
            assertEquals(id, chunk.text("id"), "one id");
            assertEquals(model, chunk.text("model"), "one model");
            assertEquals(created, chunk.get("created").longValue(-2), "one created");
            assertFalse(chunk.get("choices").isMissing(), "choices on every chunk");
            if (chunk.get("choices").elements().isEmpty()) {
                assertTrue(includeUsage, "an empty-choices chunk only for usage");
                assertTrue(usage == null, "one usage chunk");
                usage = chunk.get("usage");
                assertTrue(usage.isObject());
                continue;
            }
            assertTrue(usage == null, "nothing after the usage chunk");
            assertEquals(includeUsage, chunk.has("usage"), "usage: null on every chunk iff include_usage");
            assertEquals(1, chunk.get("choices").elements().size());
            Node choice = chunk.get("choices").elements().get(0);
            int index = (int) choice.get("index").longValue(-1);
            assertTrue(index >= 0, "choices[].index");
            order.add(index);
            Node delta = choice.get("delta");
            assertTrue(delta.isObject(), "a delta object");
            if (!content.containsKey(index)) {
                assertEquals("assistant", delta.text("role"), "the first chunk of choice " + index + " has the role");
                content.put(index, new StringBuilder());
                reasoning.put(index, new StringBuilder());
                calls.put(index, new ArrayList<>());
            } else {
                assertFalse(delta.has("role"), "the role comes once");
            }
            assertFalse(finish.containsKey(index), "nothing after choice " + index + " finished");
            if (delta.text("content") != null) {
                content.get(index).append(delta.text("content"));
            }
            if (delta.text("reasoning_content") != null) {
                reasoning.get(index).append(delta.text("reasoning_content"));
            }
            if (delta.has("tool_calls")) {
                assertFalse(functionCalls.containsKey(index), "tool_calls and function_call in one choice");
                toolCalls(delta.get("tool_calls"), calls.get(index), ids);
            }
            if (delta.has("function_call")) {
                assertTrue(calls.get(index).isEmpty(), "tool_calls and function_call in one choice");
                functionCall(delta.get("function_call"), index, functionCalls);
            }
            assertTrue(choice.has("finish_reason"), "finish_reason key present");
            String reason = choice.get("finish_reason").text();
            if (reason != null) {
                assertTrue(List.of("stop", "length", "tool_calls", "content_filter", "function_call").contains(reason), reason);
                finishCalls(reason, calls.get(index), functionCalls.get(index));
                finish.put(index, reason);
            }
        }
        assertNotNull(id, "at least one chunk");
        assertEquals(content.keySet(), finish.keySet(), "every choice finished");
        assertEquals(includeUsage, usage != null, "a usage chunk iff include_usage");
        Map<Integer, Choice> choices = new TreeMap<>();
        for (int i : content.keySet()) {
            Accumulating function = functionCalls.get(i);
            choices.put(i, new Choice(content.get(i).toString(), reasoning.get(i).toString(), finish.get(i),
                    calls.get(i).stream().map(Accumulating::done).toList(), function == null ? null : function.done()));
        }
        return new Result(id, model, choices, usage, order);
    }

    /** A {@code tool_calls} delta: new calls in index order with id, type and name; then only arguments. */
    private static void toolCalls(Node deltas, List<Accumulating> calls, List<String> ids) {
        assertFalse(deltas.elements().isEmpty(), "tool_calls is a non-empty array: " + deltas);
        for (Node d : deltas.elements()) {
            int i = (int) d.get("index").longValue(-1);
            assertTrue(i >= 0 && i <= calls.size(), "tool_calls[].index is the next one or a known one: " + d);
            Node function = d.get("function");
            String arguments = function.text("arguments");
            assertNotNull(arguments, "function.arguments is a string in every tool call delta: " + d);
            if (i == calls.size()) {
                String id = d.text("id");
                assertTrue(id != null && !id.isEmpty(), "a call's first delta has its id: " + d);
                assertFalse(ids.contains(id), "tool call ids are unique: " + id);
                ids.add(id);
                assertEquals("function", d.text("type"), "a call's first delta has type function: " + d);
                String name = function.text("name");
                assertTrue(name != null && !name.isEmpty(), "a call's first delta has its name: " + d);
                calls.add(new Accumulating(id, name, new StringBuilder(arguments)));
            } else {
                assertFalse(d.has("id") || d.has("type") || function.has("name"), "later deltas carry only arguments: " + d);
                calls.get(i).arguments().append(arguments);
            }
        }
    }

    /** A deprecated {@code function_call} delta: the name first, then only arguments. */
    private static void functionCall(Node d, int index, Map<Integer, Accumulating> functionCalls) {
        String arguments = d.text("arguments");
        assertNotNull(arguments, "function_call.arguments is a string in every delta: " + d);
        Accumulating call = functionCalls.get(index);
        if (call == null) {
            String name = d.text("name");
            assertTrue(name != null && !name.isEmpty(), "the first function_call delta has the name: " + d);
            functionCalls.put(index, new Accumulating(null, name, new StringBuilder(arguments)));
        } else {
            assertFalse(d.has("name"), "later function_call deltas carry only arguments: " + d);
            call.arguments().append(arguments);
        }
    }

    /** The finish reason fits the calls made, and calls to be answered have whole JSON objects as arguments. */
    private static void finishCalls(String reason, List<Accumulating> calls, Accumulating function) {
        assertEquals(!calls.isEmpty(), reason.equals("tool_calls") || (!calls.isEmpty() && reason.equals("length")),
                "finish_reason tool_calls iff there are tool calls (or the reply was cut): " + reason);
        assertEquals(function != null, reason.equals("function_call") || (function != null && reason.equals("length")),
                "finish_reason function_call iff there is a function_call (or the reply was cut): " + reason);
        if (reason.equals("tool_calls") || reason.equals("function_call")) {
            List<Accumulating> answered = function == null ? calls : List.of(function);
            for (Accumulating call : answered) {
                assertTrue(json(call.arguments().toString()).isObject(), "arguments are a JSON object: " + call);
            }
        }
    }

    private static Node json(String data) {
        try {
            return Node.parse(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
