package proxy.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import proxy.chat.ClientTool;
import proxy.chat.Part;
import proxy.chat.Turn;

/**
 * The names of a request's client tools on each side of the CLI. The model sees a client tool
 * {@code X} as {@code mcp__proxy__X} (the CLI's name for tool X of MCP server {@code proxy}),
 * so client tools never clash with the CLI's own ({@code Bash}, {@code Read}...); the client
 * gets its own name back. A name that would not survive that (longer than the API's 64
 * characters once prefixed, or holding characters the CLI replaces) is served under a short
 * unique alias instead, mapped back the same way.
 */
final class ToolNames {

    /** The MCP server name the CLI knows the bridge by. */
    static final String SERVER = "proxy";
    static final String PREFIX = "mcp__" + SERVER + "__";
    /** What the upstream API accepts as a tool name, prefix included. */
    private static final int MAX_MODEL_NAME = 64;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1," + (MAX_MODEL_NAME - PREFIX.length()) + "}");
    private static final int ALIAS_KEEP = 24;

    /** client name → served name, and back. */
    private final Map<String, String> served = new HashMap<>();
    private final Map<String, String> client = new HashMap<>();

    private ToolNames(List<ClientTool> tools) {
        Set<String> taken = new HashSet<>();
        for (ClientTool t : tools) {
            if (SAFE.matcher(t.name()).matches()) {
                taken.add(t.name());
            }
        }
        int n = 0;
        for (ClientTool t : tools) {
            String name = t.name();
            if (!SAFE.matcher(name).matches()) {
                String stem = name.replaceAll("[^A-Za-z0-9_-]", "_");
                stem = stem.substring(0, Math.min(stem.length(), ALIAS_KEEP));
                do {
                    name = stem + "_" + (++n);
                } while (taken.contains(name));
                taken.add(name);
            }
            served.put(t.name(), name);
            client.put(name, t.name());
        }
    }

    static ToolNames of(List<ClientTool> tools) {
        return new ToolNames(tools);
    }

    /** The name the bridge serves client tool {@code clientName} under. */
    String served(String clientName) {
        return served.get(clientName);
    }

    /** The client's name for the tool the model called {@code modelName}; null if it is not a client tool. */
    String clientName(String modelName) {
        return modelName != null && modelName.startsWith(PREFIX) ? client.get(modelName.substring(PREFIX.length())) : null;
    }

    /**
     * {@code turns} as the model must see them: calls of client tools renamed to the names the
     * model knows them by, so a history seeded on a fresh CLI reads like the one it would have made.
     */
    List<Turn> forModel(List<Turn> turns) {
        if (served.isEmpty()) {
            return turns;
        }
        return turns.stream().map(t -> new Turn(t.role(), t.parts().stream()
                .map(p -> p instanceof Part.ToolCall c && served.containsKey(c.name())
                        ? new Part.ToolCall(c.id(), PREFIX + served.get(c.name()), c.inputJson())
                        : p)
                .toList())).toList();
    }
}
