package proxy.mcp;

import proxy.json.Node;

/**
 * A client's tool as the bridge serves it to the CLI.
 *
 * @param name        the name the CLI sees (it calls the tool {@code mcp__<server>__<name>})
 * @param description what the model is told the tool does
 * @param inputSchema the JSON schema of its arguments, passed on unchanged
 */
public record McpTool(String name, String description, Node inputSchema) {}
