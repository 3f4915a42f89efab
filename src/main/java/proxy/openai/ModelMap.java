package proxy.openai;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import proxy.chat.ErrorKind;
import proxy.config.Config;
import proxy.http.HttpError;

/**
 * Which Claude model an OpenAI {@code model} name runs as. Claude names pass through unchanged:
 * the ids and aliases the proxy lists ({@code --models}), anything starting with {@code claude-},
 * and the CLI's aliases {@code opus}, {@code sonnet} and {@code haiku}. Names clients are often
 * fixed on ({@code gpt-4o}, ...) run as the model the operator's table ({@code --model-map})
 * names. Anything else is unknown, and the API answers 404 {@code model_not_found}. Immutable.
 */
public final class ModelMap {

    /** The CLI resolves these itself to the current model of each class. */
    private static final Set<String> CLI_ALIASES = Set.of("opus", "sonnet", "haiku");

    private final Set<String> listed;
    private final Map<String, String> mapped;

    ModelMap(List<String> models, Map<String, String> modelMap) {
        this.listed = Set.copyOf(models);
        this.mapped = Map.copyOf(modelMap);
    }

    public ModelMap(Config config) {
        this(config.models(), config.modelMap());
    }

    /** The model to run for {@code requested}, or empty when the name is unknown. */
    public Optional<String> resolve(String requested) {
        if (requested == null || requested.isEmpty()) {
            return Optional.empty();
        }
        // a Claude name wins over the table, so an operator cannot shadow a real model by accident
        if (listed.contains(requested) || requested.startsWith("claude-") || CLI_ALIASES.contains(requested)) {
            return Optional.of(requested);
        }
        return Optional.ofNullable(mapped.get(requested));
    }

    /** The OpenAI answer to an unknown model, word for word as the real API gives it. */
    public static HttpError notFound(String requested) {
        return new HttpError(ErrorKind.NOT_FOUND,
                "The model '" + requested + "' does not exist or you do not have access to it.")
                .withParam("model").withCode("model_not_found");
    }
}
