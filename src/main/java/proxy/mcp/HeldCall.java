package proxy.mcp;

import java.util.concurrent.CompletableFuture;

/**
 * One {@code tools/call} the CLI made, held open until the client sends the tool's result.
 *
 * @param toolUseId     the id of the model's tool_use block ({@code _meta["claudecode/toolUseId"]})
 * @param name          the tool's name as served
 * @param argumentsJson the call's arguments, as JSON text
 * @param result        completed once, by {@link #answer} or when the call is abandoned
 */
public record HeldCall(String toolUseId, String name, String argumentsJson, CompletableFuture<Result> result) {

    /** What the tool returned: text for the model, and whether it is an error. */
    public record Result(String text, boolean isError) {}

    /** Answers the call; false if it was already answered or abandoned. */
    public boolean answer(String text, boolean isError) {
        return result.complete(new Result(text, isError));
    }
}
