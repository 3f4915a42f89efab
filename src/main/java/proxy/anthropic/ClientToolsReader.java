package proxy.anthropic;

import static proxy.http.RequestFields.invalid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.json.Node;

/**
 * A Messages request's {@code tools} and {@code tool_choice} (api-contract.md §1.3), read into
 * {@link ClientTools}. Only client tools ({@code type} absent or {@code "custom"}) can be
 * offered: the CLI calls them and the client answers. An Anthropic-defined tool
 * ({@code bash_20250124}, {@code web_search_*}...) is refused, since the API would run some of
 * them itself and the CLI runs none of them for the client. Keys this proxy has no use for
 * ({@code cache_control}, {@code strict}, {@code defer_loading}, {@code eager_input_streaming}...)
 * are ignored.
 */
final class ClientToolsReader {

    /** The API's limit for a tool name. */
    static final int MAX_NAME_LENGTH = 128;

    private ClientToolsReader() {}

    /**
     * The tools and choice, checked together (either may come first in the body).
     *
     * @param tools  the elements of the {@code tools} array; empty when it was not sent
     * @param choice the {@code tool_choice} value; {@link Node#MISSING} or a null node when not sent
     */
    static ClientTools read(List<Node> tools, Node choice) {
        List<ClientTool> offered = offered(tools);
        if (choice.isMissing() || choice.isNull()) {
            return offered.isEmpty() ? ClientTools.NONE : new ClientTools(offered, Choice.AUTO, true);
        }
        if (!choice.isObject()) {
            throw invalid("tool_choice", "must be an object");
        }
        String type = choice.text("type");
        Choice c = switch (type == null ? "" : type) {
            case "auto" -> Choice.AUTO;
            case "any" -> Choice.REQUIRED;
            case "none" -> Choice.NONE;
            case "tool" -> named(choice, offered);
            default -> throw invalid("tool_choice.type", type == null && !choice.has("type")
                    ? "Field required" : "must be 'auto', 'any', 'none' or 'tool'");
        };
        if (c instanceof Choice.Required && offered.isEmpty()) {
            throw invalid("tool_choice", "tool_choice.type 'any' requires at least one tool in 'tools'");
        }
        Node noParallel = choice.get("disable_parallel_tool_use");
        boolean parallel = true;
        if (!noParallel.isMissing() && !noParallel.isNull()) {
            if (!noParallel.isTrue() && !noParallel.toJson().equals("false")) { // Node has no isFalse()
                throw invalid("tool_choice.disable_parallel_tool_use", "must be a boolean");
            }
            parallel = !noParallel.isTrue();
        }
        return offered.isEmpty() ? ClientTools.NONE : new ClientTools(offered, c, parallel);
    }

    private static Choice named(Node choice, List<ClientTool> offered) {
        String name = choice.text("name");
        if (name == null) {
            throw invalid("tool_choice.name", "Field required");
        }
        if (offered.isEmpty()) {
            throw invalid("tool_choice", "tool_choice.type 'tool' requires the named tool in 'tools'");
        }
        if (offered.stream().noneMatch(t -> t.name().equals(name))) {
            throw invalid("tool_choice.name", "no tool named '" + name + "' is in 'tools'");
        }
        return new Choice.Named(name);
    }

    private static List<ClientTool> offered(List<Node> items) {
        List<ClientTool> offered = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            ClientTool tool = tool(items.get(i), "tools." + i);
            Integer first = seen.putIfAbsent(tool.name(), i);
            if (first != null) {
                throw invalid("tools." + i + ".name", "tool names must be unique: '" + tool.name()
                        + "' is also the name of tools." + first);
            }
            offered.add(tool);
        }
        return offered;
    }

    private static ClientTool tool(Node t, String where) {
        if (!t.isObject()) {
            throw invalid(where, "must be an object");
        }
        Node type = t.get("type");
        if (!type.isMissing() && !type.isNull() && !"custom".equals(type.text())) {
            String shown = type.text() != null ? "'" + type.text() + "'" : type.toJson();
            throw invalid(where + ".type", "tools of type " + shown + " are Anthropic-defined tools, "
                    + "which the CLI behind claude-proxy cannot run for the client; define it as a custom tool "
                    + "(name, description, input_schema, no type) and run it yourself");
        }
        String name = t.text("name");
        if (name == null) {
            throw invalid(where + ".name", t.has("name") ? "must be a string" : "Field required");
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw invalid(where + ".name", "must be 1 to " + MAX_NAME_LENGTH + " characters long");
        }
        Node description = t.get("description");
        if (!description.isMissing() && !description.isNull() && description.text() == null) {
            throw invalid(where + ".description", "must be a string");
        }
        Node schema = t.get("input_schema");
        if (schema.isMissing()) {
            throw invalid(where + ".input_schema", "Field required");
        }
        if (!schema.isObject()) {
            throw invalid(where + ".input_schema", "must be an object (a JSON schema)");
        }
        String text = description.text();
        return new ClientTool(name, text == null ? "" : text, schema.toJson());
    }
}
