package proxy.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import proxy.http.RequestIds;
import proxy.chat.ReplyEvent.Block;
import proxy.chat.Usage;

/** The JSON pieces a message and its stream share: ids, usage, empty block shells. */
final class MessageJson {

    private MessageJson() {}

    /** A fresh message id ({@code msg_} and 24 hex digits): the CLI's upstream ids are not ours to hand out. */
    static String newMessageId() {
        return RequestIds.newId("msg_");
    }

    static void usage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", u.inputTokens());
        g.writeNumberField("output_tokens", u.outputTokens());
        g.writeNumberField("cache_creation_input_tokens", u.cacheCreationInputTokens());
        g.writeNumberField("cache_read_input_tokens", u.cacheReadInputTokens());
        if (u.costUsd().isPresent()) { // the proxy's own field: what the CLI says the turn cost
            g.writeNumberField("cost_usd", u.costUsd().get());
        }
        g.writeEndObject();
    }

    /** The opening {@code "type"} and, for a stream's {@code content_block_start}, the empty fields. */
    static void blockHead(JsonGenerator g, Block block) throws IOException {
        switch (block) {
            case Block.Text t -> g.writeStringField("type", "text");
            case Block.Thinking t -> g.writeStringField("type", "thinking");
            case Block.ToolCall c -> toolUseHead(g, c.id(), c.name());
            case Block.CliToolCall c -> toolUseHead(g, c.id(), c.name());
        }
    }

    /** {@code content_block_start.content_block}: the block with empty contents. */
    static void emptyBlock(JsonGenerator g, Block block) throws IOException {
        g.writeStartObject();
        blockHead(g, block);
        switch (block) {
            case Block.Text t -> g.writeStringField("text", "");
            case Block.Thinking t -> {
                g.writeStringField("thinking", "");
                g.writeStringField("signature", "");
            }
            case Block.ToolCall c -> emptyInput(g);
            case Block.CliToolCall c -> emptyInput(g);
        }
        g.writeEndObject();
    }

    private static void toolUseHead(JsonGenerator g, String id, String name) throws IOException {
        g.writeStringField("type", "tool_use");
        g.writeStringField("id", id);
        g.writeStringField("name", name);
    }

    private static void emptyInput(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("input");
        g.writeEndObject();
    }
}
