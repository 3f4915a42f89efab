package proxy.chat;

/**
 * A tool the client offers the model, as the client defined it.
 *
 * @param name        the client's name for it, exactly as given (the client gets calls back under it)
 * @param description what the model is told the tool does; empty if none was given
 * @param inputSchema the JSON schema of its arguments, as compact JSON text, otherwise as given
 */
public record ClientTool(String name, String description, String inputSchema) {

    /** The schema of a tool that takes no arguments (the API's default when none is given). */
    public static final String NO_ARGUMENTS = "{\"type\":\"object\",\"properties\":{}}";
}
