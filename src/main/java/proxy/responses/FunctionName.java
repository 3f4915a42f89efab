package proxy.responses;

import java.util.Optional;

/**
 * A function as the Responses API names it: its name, and the namespace tool it was offered in,
 * if any. Namespaced functions are offered to the model flattened, under one client tool name
 * ({@link #flat}); a call comes back under the namespace and name the client gave.
 *
 * @param namespace the {@code namespace} tool's name, if the function came inside one
 * @param name      the function's own name
 */
record FunctionName(Optional<String> namespace, String name) {

    /** The name the function is offered under: {@code namespace__name}, or the name alone. */
    String flat() {
        return namespace.map(ns -> ns + "__" + name).orElse(name);
    }
}
