package proxy.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import proxy.json.Node;

/**
 * A strict reader of a Responses API event stream, checking what the SDKs' accumulators
 * (openai-node {@code internal/responses/response-accumulator.ts}, openai-python
 * {@code ResponseStreamState}) and Codex rely on:
 * <ul>
 * <li>every frame is {@code event: <type>} and one {@code data:} line whose {@code type} is the
 *     same; comments (keep-alives) may come between frames; no {@code [DONE]};
 * <li>{@code sequence_number} is 0, 1, 2... in order;
 * <li>{@code response.created}, then {@code response.in_progress}, both with the response
 *     {@code in_progress}, no output and {@code usage: null};
 * <li>items are added at the next output index, with unique non-empty ids (and call ids), empty
 *     and in progress; a part is added at the next index of its item before its deltas; events
 *     of an item name its id and index; text deltas concatenate to the {@code .done} text and the
 *     part's done text, argument deltas to the {@code .done} arguments; an item's
 *     {@code output_item.done} comes after its parts are done, keeps its type, id and call id,
 *     and holds the accumulated text; nothing about an item follows its done;
 * <li>exactly one terminal event ({@code response.completed}, {@code .incomplete},
 *     {@code .failed}) and nothing after it; every item is done before it, and its response's
 *     output is the items as their {@code output_item.done} gave them; its status, error,
 *     {@code incomplete_details} and usage fit the terminal type.
 * </ul>
 */
public final class StrictResponsesStream {

    /** The stream as a client accumulates it: the terminal response and the event types in order. */
    public record Result(String status, Node response, List<Node> output, Node usage, List<String> types) {}

    /** An item as accumulated from its events. */
    private static final class Tracked {
        final Node added;
        final String type;
        final String id;
        final List<StringBuilder> parts = new ArrayList<>();
        final List<Boolean> textDone = new ArrayList<>();
        final List<Boolean> partDone = new ArrayList<>();
        final StringBuilder arguments = new StringBuilder();
        boolean argumentsDone;
        Node done;

        Tracked(Node added) {
            this.added = added;
            this.type = added.text("type");
            this.id = added.text("id");
        }
    }

    private StrictResponsesStream() {
    }

    public static Result parse(String body) {
        List<Node> events = frames(body);
        List<Tracked> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> callIds = new HashSet<>();
        List<String> types = new ArrayList<>();
        String responseId = null;
        Node terminal = null;
        for (int i = 0; i < events.size(); i++) {
            Node e = events.get(i);
            String type = e.text("type");
            types.add(type);
            assertEquals(i, e.get("sequence_number").longValue(-1), "sequence_number of event " + i + ": " + e);
            assertNull(terminal, "nothing after the terminal event: " + e);
            if (i == 0) {
                assertEquals("response.created", type, "the first event");
            } else if (i == 1) {
                assertEquals("response.in_progress", type, "the second event");
            }
            switch (type) {
                case "response.created", "response.in_progress" -> {
                    assertTrue(i <= 1, type + " only at the start");
                    Node r = e.get("response");
                    assertEquals("response", r.text("object"));
                    assertEquals("in_progress", r.text("status"), type);
                    assertTrue(r.get("output").elements().isEmpty(), "no output yet: " + r);
                    assertTrue(r.get("usage").isNull(), "usage: null while in progress");
                    assertTrue(r.get("error").isNull() && r.get("incomplete_details").isNull(), type);
                    assertFalse(r.has("output_text"), "output_text is computed by the SDKs, not sent");
                    responseId = sameId(responseId, r);
                }
                case "response.output_item.added" -> items.add(added(e, items.size(), ids, callIds));
                case "response.content_part.added" -> partAdded(e, item(e, items, "message"), "content_index", "output_text");
                case "response.reasoning_summary_part.added" ->
                        partAdded(e, item(e, items, "reasoning"), "summary_index", "summary_text");
                case "response.output_text.delta" -> {
                    assertTrue(e.get("logprobs").elements().isEmpty() && !e.get("logprobs").isMissing(), "logprobs: []");
                    part(e, item(e, items, "message"), "content_index").append(text(e, "delta"));
                }
                case "response.reasoning_summary_text.delta" ->
                        part(e, item(e, items, "reasoning"), "summary_index").append(text(e, "delta"));
                case "response.output_text.done" -> {
                    assertFalse(e.get("logprobs").isMissing(), "logprobs on output_text.done");
                    textDone(e, item(e, items, "message"), "content_index");
                }
                case "response.reasoning_summary_text.done" -> textDone(e, item(e, items, "reasoning"), "summary_index");
                case "response.content_part.done" -> partDone(e, item(e, items, "message"), "content_index", "output_text");
                case "response.reasoning_summary_part.done" ->
                        partDone(e, item(e, items, "reasoning"), "summary_index", "summary_text");
                case "response.function_call_arguments.delta" -> {
                    Tracked t = item(e, items, "function_call");
                    assertFalse(t.argumentsDone, "arguments delta after their done: " + e);
                    t.arguments.append(text(e, "delta"));
                }
                case "response.function_call_arguments.done" -> {
                    Tracked t = item(e, items, "function_call");
                    assertFalse(t.argumentsDone, "arguments done twice: " + e);
                    assertEquals(t.arguments.toString(), text(e, "arguments"), "the deltas make the arguments");
                    assertEquals(t.added.text("name"), e.text("name"), "arguments.done names the function");
                    t.argumentsDone = true;
                }
                case "response.output_item.done" -> itemDone(e, items);
                case "response.completed", "response.incomplete", "response.failed" -> terminal = e;
                default -> fail("an event the stream should not send: " + e);
            }
        }
        assertNotNull(terminal, "the stream ends with a terminal event");
        for (Tracked t : items) {
            assertNotNull(t.done, "item " + t.id + " done before the end");
        }
        Node r = terminal.get("response");
        responseId = sameId(responseId, r);
        String status = r.text("status");
        assertEquals(terminal.text("type"), "response." + status, "the terminal event fits the status");
        assertEquals(items.stream().map(t -> t.done).toList(), r.get("output").elements(),
                "the response's output is the items as output_item.done gave them");
        assertFalse(r.has("output_text"), "output_text is computed by the SDKs, not sent");
        switch (status) {
            case "completed" -> {
                assertTrue(r.get("error").isNull() && r.get("incomplete_details").isNull(), "completed: " + r);
                // a call the client is to answer has a whole arguments object (one cut off is incomplete)
                for (Tracked t : items) {
                    if (t.type.equals("function_call") && "completed".equals(t.done.text("status"))) {
                        assertTrue(json(t.done.text("arguments")).isObject(), "a call to answer has an arguments object");
                    }
                }
            }
            case "incomplete" -> {
                assertTrue(r.get("error").isNull(), "incomplete: " + r);
                assertNotNull(r.get("incomplete_details").text("reason"), "incomplete_details.reason");
            }
            case "failed" -> {
                assertNotNull(r.get("error").text("code"), "error.code of a failed response");
                assertNotNull(r.get("error").text("message"), "error.message of a failed response");
                assertTrue(r.get("incomplete_details").isNull(), "failed: " + r);
            }
            default -> fail("terminal status " + status);
        }
        Node usage = r.get("usage");
        if (!status.equals("failed")) {
            long input = usage.get("input_tokens").longValue(-1);
            long output = usage.get("output_tokens").longValue(-1);
            assertTrue(input >= 0 && output >= 0, "usage: " + usage);
            assertEquals(input + output, usage.get("total_tokens").longValue(-1), "total_tokens");
            assertTrue(usage.get("input_tokens_details").get("cached_tokens").longValue(-1) <= input, "cached_tokens");
            assertEquals(0, usage.get("output_tokens_details").get("reasoning_tokens").longValue(-1));
        }
        return new Result(status, r, r.get("output").elements(), usage, types);
    }

    /** The frames' data, checking the framing: an event line, one data line, the same type. */
    private static List<Node> frames(String body) {
        assertTrue(body.endsWith("\n\n"), "the stream ends at a frame's end");
        List<Node> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.startsWith(":")) {
                assertFalse(block.contains("\n"), "a keep-alive is one comment line: " + block);
                continue;
            }
            String[] lines = block.split("\n", -1);
            assertEquals(2, lines.length, "a frame is an event line and a data line: " + block);
            assertTrue(lines[0].startsWith("event: "), block);
            assertTrue(lines[1].startsWith("data: "), block);
            assertNotEquals("data: [DONE]", lines[1], "no [DONE] in a Responses stream");
            Node data = json(lines[1].substring(6));
            assertEquals(lines[0].substring(7), data.text("type"), "event: is the data's type");
            events.add(data);
        }
        return events;
    }

    private static String sameId(String id, Node response) {
        String rid = response.text("id");
        assertTrue(rid != null && rid.startsWith("resp_"), "response id: " + rid);
        if (id != null) {
            assertEquals(id, rid, "one response id");
        }
        return rid;
    }

    private static Tracked added(Node e, int next, Set<String> ids, Set<String> callIds) {
        assertEquals(next, e.get("output_index").longValue(-1), "items are added at the next output index: " + e);
        Node item = e.get("item");
        Tracked t = new Tracked(item);
        assertTrue(t.id != null && !t.id.isEmpty() && ids.add(t.id), "a unique item id: " + item);
        switch (String.valueOf(t.type)) {
            case "message" -> {
                assertEquals("assistant", item.text("role"));
                assertEquals("in_progress", item.text("status"));
                assertTrue(item.get("content").elements().isEmpty() && !item.get("content").isMissing(), "content: []");
            }
            case "reasoning" -> assertTrue(item.get("summary").elements().isEmpty() && !item.get("summary").isMissing(),
                    "summary: []");
            case "function_call" -> {
                String callId = item.text("call_id");
                assertTrue(callId != null && !callId.isEmpty() && callIds.add(callId), "a unique call id: " + item);
                assertTrue(item.text("name") != null && !item.text("name").isEmpty(), "a call's name: " + item);
                assertEquals("", item.text("arguments"), "a call starts without arguments");
                assertEquals("in_progress", item.text("status"));
            }
            default -> fail("an item type the proxy does not make: " + item);
        }
        return t;
    }

    /** The item an event names by {@code output_index} and {@code item_id}: of the type, not done. */
    private static Tracked item(Node e, List<Tracked> items, String type) {
        int index = (int) e.get("output_index").longValue(-1);
        assertTrue(index >= 0 && index < items.size(), "an event for an added item: " + e);
        Tracked t = items.get(index);
        assertEquals(t.id, e.text("item_id"), "item_id names the item at output_index: " + e);
        assertEquals(type, t.type, "the event fits the item's type: " + e);
        assertNull(t.done, "nothing about an item after its output_item.done: " + e);
        return t;
    }

    private static void partAdded(Node e, Tracked t, String indexField, String partType) {
        assertEquals(t.parts.size(), e.get(indexField).longValue(-1), "parts are added at the next index: " + e);
        assertEquals(partType, e.get("part").text("type"));
        assertEquals("", e.get("part").text("text"), "a part starts empty");
        if (partType.equals("output_text")) {
            assertTrue(e.get("part").get("annotations").elements().isEmpty() && e.get("part").has("annotations"));
        }
        t.parts.add(new StringBuilder());
        t.textDone.add(false);
        t.partDone.add(false);
    }

    /** The text of the part an event names; it must have been added and its text not be done. */
    private static StringBuilder part(Node e, Tracked t, String indexField) {
        int index = (int) e.get(indexField).longValue(-1);
        assertTrue(index >= 0 && index < t.parts.size(), "an event for an added part: " + e);
        assertFalse(t.textDone.get(index), "text of a part after its done: " + e);
        return t.parts.get(index);
    }

    private static void textDone(Node e, Tracked t, String indexField) {
        StringBuilder text = part(e, t, indexField);
        assertEquals(text.toString(), text(e, "text"), "the deltas make the text");
        t.textDone.set((int) e.get(indexField).longValue(-1), true);
    }

    private static void partDone(Node e, Tracked t, String indexField, String partType) {
        int index = (int) e.get(indexField).longValue(-1);
        assertTrue(index >= 0 && index < t.parts.size(), "done of an added part: " + e);
        assertTrue(t.textDone.get(index), "the text is done before its part: " + e);
        assertFalse(t.partDone.get(index), "a part done twice: " + e);
        assertEquals(partType, e.get("part").text("type"));
        assertEquals(t.parts.get(index).toString(), e.get("part").text("text"), "the part holds the text");
        t.partDone.set(index, true);
    }

    private static void itemDone(Node e, List<Tracked> items) {
        int index = (int) e.get("output_index").longValue(-1);
        assertTrue(index >= 0 && index < items.size(), "done of an added item: " + e);
        Tracked t = items.get(index);
        assertNull(t.done, "an item done twice: " + e);
        Node item = e.get("item");
        assertEquals(t.type, item.text("type"), "an item keeps its type");
        assertEquals(t.id, item.text("id"), "an item keeps its id");
        assertEquals(t.added.text("call_id"), item.text("call_id"), "a call keeps its call id");
        assertEquals(t.added.text("name"), item.text("name"), "a call keeps its name");
        assertEquals(t.added.text("namespace"), item.text("namespace"), "a call keeps its namespace");
        switch (t.type) {
            case "message", "reasoning" -> {
                assertTrue(t.partDone.stream().allMatch(b -> b), "every part done before the item: " + e);
                List<Node> parts = item.get(t.type.equals("message") ? "content" : "summary").elements();
                assertEquals(t.parts.size(), parts.size(), "the item holds its parts: " + e);
                for (int i = 0; i < parts.size(); i++) {
                    assertEquals(t.parts.get(i).toString(), parts.get(i).text("text"), "the item holds the text");
                }
            }
            default -> {
                assertTrue(t.argumentsDone, "arguments done before the call: " + e);
                assertEquals(t.arguments.toString(), item.text("arguments"), "the call holds the arguments");
            }
        }
        if (!t.type.equals("reasoning")) {
            assertNotEquals("in_progress", item.text("status"), "a done item is not in progress: " + e);
        }
        t.done = item;
    }

    private static String text(Node e, String field) {
        String s = e.text(field);
        assertNotNull(s, field + " is a string: " + e);
        return s;
    }

    static Node json(String data) {
        try {
            return Node.parse(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
