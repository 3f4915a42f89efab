package proxy.responses;

import static proxy.http.RequestFields.invalid;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import proxy.chat.ClientTool;
import proxy.chat.ClientTools;
import proxy.chat.ClientTools.Choice;
import proxy.json.Node;
import proxy.openai.OpenAiFields;

/**
 * The tool fields of a Responses body, gathered as the body is read and checked together at the
 * end, since {@code tool_choice} may come before the tools it names: {@code tools},
 * {@code tool_choice} and {@code parallel_tool_calls}.
 *
 * <p>Tools are flat ({@code {type:"function", name, description?, parameters?, strict?}}; a
 * {@code type} left out counts as a function). A {@code namespace} tool's functions are offered
 * one by one under their {@link FunctionName#flat} names. Hosted tools, which the API runs
 * itself and the CLI cannot run for the client ({@code web_search}, {@code file_search}, ...),
 * are accepted and not offered; {@link #ignored} names them. {@code custom} (freeform) tools and
 * unknown types are refused. Names are 1 to {@value #MAX_NAME_LENGTH} characters and unique once
 * flattened. A request with no functions has {@link ClientTools#NONE}, whatever its
 * {@code tool_choice} says, as long as that does not demand a call.
 */
final class ResponseTools {

    /** The longest name accepted (the CLI side serves longer ones under an alias). */
    static final int MAX_NAME_LENGTH = 128;

    /** Tools the API runs itself, or whose calls are not function calls: never offered. */
    private static final Set<String> HOSTED = Set.of("web_search", "web_search_preview", "file_search",
            "code_interpreter", "computer_use_preview", "computer_use", "computer", "image_generation", "mcp",
            "local_shell", "shell", "apply_patch", "tool_search");

    private final List<ClientTool> offered = new ArrayList<>();
    private final Map<String, FunctionName> functions = new LinkedHashMap<>();
    private final List<String> ignored = new ArrayList<>();
    private Node choice;
    private boolean parallel = true;

    /** Reads the {@code tools} array (the caller checked it is one). */
    void tools(Node tools) {
        offered.clear(); // a repeated key: the last one counts, as for every other field
        functions.clear();
        ignored.clear();
        Map<String, String> seen = new HashMap<>();
        List<Node> list = tools.elements();
        for (int i = 0; i < list.size(); i++) {
            String where = "tools[" + i + "]";
            Node t = list.get(i);
            if (!t.isObject()) {
                throw invalid(where, "must be an object");
            }
            String type = ResponseInput.optionalText(t, "type", where);
            if (type == null || type.equals("function")) {
                offer(t, where, Optional.empty(), seen);
            } else if (type.equals("namespace")) {
                namespace(t, where, seen);
            } else if (type.equals("custom")) {
                throw invalid(where + ".type", "custom (freeform) tools are not supported by claude-proxy; use function tools");
            } else if (HOSTED.contains(type) || type.startsWith("web_search_")) { // web_search_preview_2025_03_11, ...
                if (!ignored.contains("tools[" + type + "]")) {
                    ignored.add("tools[" + type + "]");
                }
            } else {
                throw invalid(where + ".type", "tools of type '" + type + "' are not supported by claude-proxy");
            }
        }
    }

    void choice(Node c) {
        choice = c;
    }

    void parallel(boolean p) {
        parallel = p;
    }

    /** The offered functions and the choice, checked together. */
    ClientTools clientTools() {
        Choice c = choice == null ? Choice.AUTO : chosen(choice);
        return offered.isEmpty() ? ClientTools.NONE : new ClientTools(offered, c, parallel);
    }

    /** Flat name → the function's Responses name, for every offered function. */
    Map<String, FunctionName> functions() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(functions));
    }

    /** The hosted tools that came, as {@code tools[web_search]}. */
    List<String> ignored() {
        return List.copyOf(ignored);
    }

    /** {@code {type:"namespace", name, description?, tools:[function tools]}}. */
    private void namespace(Node ns, String where, Map<String, String> seen) {
        String name = name(ns, where);
        Node inner = ns.get("tools");
        if (!inner.isArray()) {
            throw invalid(where + ".tools", inner.isMissing() || inner.isNull() ? "Field required" : "must be an array");
        }
        List<Node> list = inner.elements();
        for (int j = 0; j < list.size(); j++) {
            String at = where + ".tools[" + j + "]";
            Node f = list.get(j);
            if (!f.isObject()) {
                throw invalid(at, "must be an object");
            }
            String type = ResponseInput.optionalText(f, "type", at);
            if (type != null && !type.equals("function")) {
                throw invalid(at + ".type", "only function tools can be in a namespace, not '" + type + "'");
            }
            offer(f, at, Optional.of(name), seen);
        }
    }

    /** A function ({@code {name, description?, parameters?}}), offered under its flat name. */
    private void offer(Node f, String where, Optional<String> namespace, Map<String, String> seen) {
        if (f.get("function").isObject() && !f.has("name")) {
            throw invalid(where + ".name", "Field required (Responses tools are flat: {type, name, parameters}, "
                    + "not {type, function: {...}} as in Chat Completions)");
        }
        FunctionName name = new FunctionName(namespace, name(f, where));
        String flat = name.flat();
        String first = seen.putIfAbsent(flat, where);
        if (first != null) {
            throw invalid(where + ".name", "tool names must be unique: '" + flat + "' is also the name of " + first);
        }
        String description = ResponseInput.optionalText(f, "description", where);
        String schema = OpenAiFields.parameters(f.get("parameters"), where + ".parameters");
        offered.add(new ClientTool(flat, description == null ? "" : description, schema)); // strict: nothing to do with it
        functions.put(flat, name);
    }

    private static String name(Node t, String where) {
        String name = ResponseInput.text(t, "name", where);
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw invalid(where + ".name", "must be 1 to " + MAX_NAME_LENGTH + " characters long");
        }
        return name;
    }

    /** {@code "none" | "auto" | "required" | {"type":"function","name":X,"namespace"?:N}}. */
    private Choice chosen(Node c) {
        String word = c.text();
        Choice chosen;
        if (word != null) {
            chosen = switch (word) {
                case "none" -> Choice.NONE;
                case "auto" -> Choice.AUTO;
                case "required" -> Choice.REQUIRED;
                default -> throw invalid("tool_choice", "must be 'none', 'auto', 'required' or a named function, not '" + word + "'");
            };
        } else if (c.isObject() && "function".equals(c.text("type"))) {
            String name = ResponseInput.text(c, "name", "tool_choice");
            Optional<String> namespace = Optional.ofNullable(ResponseInput.optionalText(c, "namespace", "tool_choice"));
            String flat = new FunctionName(namespace, name).flat(); // a flat name alone names a namespaced function too
            if (!functions.containsKey(flat)) {
                throw invalid("tool_choice", "no function named '" + flat + "' is in 'tools'");
            }
            chosen = new Choice.Named(flat);
        } else {
            // allowed_tools, hosted tools, custom tools, mcp: the CLI has no way to honour them
            throw invalid("tool_choice", "must be 'none', 'auto', 'required' or {\"type\":\"function\",\"name\":...}");
        }
        if (chosen == Choice.REQUIRED && offered.isEmpty()) {
            throw invalid("tool_choice", "'required' needs at least one function in 'tools'");
        }
        return chosen;
    }
}
