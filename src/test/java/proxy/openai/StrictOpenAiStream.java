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
 */
public final class StrictOpenAiStream {

    /** One choice as a client accumulates it. */
    public record Choice(String content, String reasoning, String finishReason) {}

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
            assertTrue(choice.has("finish_reason"), "finish_reason key present");
            String reason = choice.get("finish_reason").text();
            if (reason != null) {
                assertTrue(List.of("stop", "length", "tool_calls", "content_filter").contains(reason), reason);
                finish.put(index, reason);
            }
        }
        assertNotNull(id, "at least one chunk");
        assertEquals(content.keySet(), finish.keySet(), "every choice finished");
        assertEquals(includeUsage, usage != null, "a usage chunk iff include_usage");
        Map<Integer, Choice> choices = new TreeMap<>();
        for (int i : content.keySet()) {
            choices.put(i, new Choice(content.get(i).toString(), reasoning.get(i).toString(), finish.get(i)));
        }
        return new Result(id, model, choices, usage, order);
    }

    private static Node json(String data) {
        try {
            return Node.parse(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
