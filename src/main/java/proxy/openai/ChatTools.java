package proxy.openai;

import static proxy.http.RequestFields.bool;
import static proxy.http.RequestFields.expect;
import static proxy.http.RequestFields.invalid;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.json.Node;

/**
 * The tool fields of a Chat Completions body (api-contract.md §2.3), gathered as the body is
 * read and checked together at the end, since {@code tool_choice} may come before the tools it
 * names: {@code tools} or the deprecated {@code functions}, {@code tool_choice} or the
 * deprecated {@code function_call}, and {@code parallel_tool_calls}.
 *
 * <p>Only {@code function} tools can be offered (a {@code type} left out counts as one, as for
 * the history's tool calls); {@code strict} and any other extra key are ignored. Names are 1 to
 * {@value #MAX_NAME_LENGTH} characters and unique. A request with no tools (absent, {@code []})
 * has {@link ClientTools#NONE}, whatever its {@code tool_choice} says, as long as that does not
 * demand a call. When both choice fields come, {@code tool_choice} wins.
 */
final class ChatTools {

    /** The longest tool name accepted (the CLI side serves longer ones under an alias). */
    static final int MAX_NAME_LENGTH = 128;

    private final List<ClientTool> tools = new ArrayList<>();
    private final List<ClientTool> functions = new ArrayList<>();
    /** The choice field that was sent ({@code tool_choice} over {@code function_call}) and its value. */
    private String choiceField;
    private Node choice;
    private boolean parallel = true;

    /** Reads the value of the tool field {@code field} at the parser (never {@code null}: the caller skips those). */
    void read(String field, JsonParser p) throws IOException {
        switch (field) {
            case "tools" -> offered(p, "tools", tools);
            case "functions" -> offered(p, "functions", functions);
            case "tool_choice" -> {
                choiceField = field;
                choice = Node.read(p);
            }
            case "function_call" -> {
                if (choice == null || choiceField.equals(field)) {
                    choiceField = field;
                    choice = Node.read(p);
                } else {
                    p.skipChildren(); // tool_choice came first and wins
                }
            }
            case "parallel_tool_calls" -> parallel = bool(p, field);
            default -> throw new IllegalArgumentException("not a tool field: " + field);
        }
    }

    /**
     * Whether the tools came as the deprecated {@code functions}: the reply then shows its call
     * as {@code function_call}, which is all such a client reads.
     */
    boolean legacy() {
        return tools.isEmpty() && !functions.isEmpty();
    }

    /** The tools and choice, checked together. */
    ClientTools clientTools() {
        if (!tools.isEmpty() && !functions.isEmpty()) {
            throw invalid("functions", "send either 'tools' or the deprecated 'functions', not both");
        }
        List<ClientTool> offered = legacy() ? functions : tools;
        Choice c = choice == null ? Choice.AUTO : choice(offered);
        return offered.isEmpty() ? ClientTools.NONE : new ClientTools(offered, c, parallel);
    }

    private Choice choice(List<ClientTool> offered) {
        Choice c = choiceField.equals("tool_choice") ? toolChoice(choice) : functionCall(choice);
        if (c instanceof Choice.Named named) {
            if (offered.stream().noneMatch(t -> t.name().equals(named.name()))) {
                throw invalid(choiceField, "no tool named '" + named.name() + "' is in '" + (legacy() ? "functions" : "tools") + "'");
            }
        } else if (c == Choice.REQUIRED && offered.isEmpty()) {
            throw invalid(choiceField, "'required' needs at least one tool in 'tools'");
        }
        return c;
    }

    /** {@code "none" | "auto" | "required" | {"type":"function","function":{"name":X}}}. */
    private static Choice toolChoice(Node c) {
        String word = c.text();
        if (word != null) {
            return switch (word) {
                case "none" -> Choice.NONE;
                case "auto" -> Choice.AUTO;
                case "required" -> Choice.REQUIRED;
                default -> throw invalid("tool_choice", "must be 'none', 'auto', 'required' or a named function, not '" + word + "'");
            };
        }
        if (!c.isObject() || !"function".equals(c.text("type"))) {
            // allowed_tools and custom tools: the CLI has no way to honour them
            throw invalid("tool_choice", "must be 'none', 'auto', 'required' or {\"type\":\"function\",\"function\":{\"name\":...}}");
        }
        String name = c.get("function").text("name");
        if (name == null) {
            throw invalid("tool_choice.function.name", "Field required");
        }
        return new Choice.Named(name);
    }

    /** The deprecated {@code "none" | "auto" | {"name":X}}. */
    private static Choice functionCall(Node c) {
        if ("none".equals(c.text())) {
            return Choice.NONE;
        }
        if ("auto".equals(c.text())) {
            return Choice.AUTO;
        }
        if (!c.isObject() || c.text("name") == null) {
            throw invalid("function_call", "must be 'none', 'auto' or {\"name\":...}");
        }
        return new Choice.Named(c.text("name"));
    }

    /** Reads a {@code tools} or {@code functions} array into {@code into}. */
    private static void offered(JsonParser p, String field, List<ClientTool> into) throws IOException {
        expect(p, JsonToken.START_ARRAY, field, "an array");
        into.clear(); // a repeated key: the last one counts, as for every other field
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            String where = field + "[" + i + "]";
            Node t = Node.read(p);
            ClientTool tool = field.equals("tools") ? tool(t, where) : function(t, where);
            String nameAt = field.equals("tools") ? where + ".function.name" : where + ".name";
            Integer first = seen.putIfAbsent(tool.name(), i);
            if (first != null) {
                throw invalid(nameAt, "tool names must be unique: '" + tool.name() + "' is also the name of " + field + "[" + first + "]");
            }
            into.add(tool);
        }
    }

    /** {@code {"type":"function","function":{...}}}. */
    private static ClientTool tool(Node t, String where) {
        if (!t.isObject()) {
            throw invalid(where, "must be an object");
        }
        Node type = t.get("type");
        if (!type.isMissing() && !type.isNull() && !"function".equals(type.text())) {
            throw invalid(where + ".type", "only 'function' tools are supported by claude-proxy, not " + type.toJson());
        }
        Node function = t.get("function");
        if (!function.isObject()) {
            throw invalid(where + ".function", function.isMissing() ? "Field required" : "must be an object");
        }
        return function(function, where + ".function");
    }

    /** {@code {"name","description"?,"parameters"?}}: a tool's function, or a legacy {@code functions} entry. */
    private static ClientTool function(Node f, String where) {
        if (!f.isObject()) {
            throw invalid(where, "must be an object");
        }
        String name = f.text("name");
        if (name == null) {
            throw invalid(where + ".name", f.has("name") ? "must be a string" : "Field required");
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw invalid(where + ".name", "must be 1 to " + MAX_NAME_LENGTH + " characters long");
        }
        Node description = f.get("description");
        if (!description.isMissing() && !description.isNull() && description.text() == null) {
            throw invalid(where + ".description", "must be a string");
        }
        String schema = OpenAiFields.parameters(f.get("parameters"), where + ".parameters");
        return new ClientTool(name, description.text() == null ? "" : description.text(), schema);
    }
}
