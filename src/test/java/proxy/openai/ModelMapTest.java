package proxy.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import proxy.config.Args;
import proxy.config.Config;
import proxy.config.UsageException;
import proxy.http.HttpError;

class ModelMapTest {

    private static ModelMap defaults() throws UsageException {
        return new ModelMap(((Args.Run) Args.parse(new String[0], Map.of())).config());
    }

    @Test
    void claudeNamesPassThroughUnchanged() throws UsageException {
        ModelMap models = defaults();
        for (String name : List.of("claude-opus-5-5", "claude-sonnet-5-5", "claude-3-5-haiku-20241022", "opus", "sonnet", "haiku")) {
            assertEquals(Optional.of(name), models.resolve(name), name);
        }
    }

    @Test
    void openAiNamesRunAsTheModelOfTheirClass() throws UsageException {
        ModelMap models = defaults();
        assertEquals(Optional.of("sonnet"), models.resolve("gpt-4o"));
        assertEquals(Optional.of("haiku"), models.resolve("gpt-4o-mini"));
        assertEquals(Optional.of("opus"), models.resolve("o3"));
    }

    @Test
    void unknownNamesResolveToNothing() throws UsageException {
        ModelMap models = defaults();
        assertEquals(Optional.empty(), models.resolve("llama-3"));
        assertEquals(Optional.empty(), models.resolve("GPT-4O")); // names are exact, as upstream
        assertEquals(Optional.empty(), models.resolve("opus-ish"));
        assertEquals(Optional.empty(), models.resolve(""));
        assertEquals(Optional.empty(), models.resolve(null));
    }

    @Test
    void listedNamesPassAndAClaudeNameWinsOverTheTable() {
        ModelMap models = new ModelMap(List.of("my-model"), Map.of("my-model", "haiku", "sonnet", "haiku", "fast", "claude-haiku-5-5"));
        assertEquals(Optional.of("my-model"), models.resolve("my-model"));
        assertEquals(Optional.of("sonnet"), models.resolve("sonnet"));
        assertEquals(Optional.of("claude-haiku-5-5"), models.resolve("fast"));
        assertEquals(Optional.empty(), models.resolve("gpt-4o")); // only in the default table
    }

    @Test
    void notFoundIsOpenAisOwnAnswer() {
        HttpError e = ModelMap.notFound("x");
        assertEquals(404, e.status());
        assertEquals("The model 'x' does not exist or you do not have access to it.", e.getMessage());
        assertEquals(Optional.of("model"), e.param());
        assertEquals(Optional.of("model_not_found"), e.code());
    }

    @Test
    void builtFromConfig() throws UsageException {
        Config c = ((Args.Run) Args.parse(new String[] {"--models", "a,b", "--model-map", "c=opus"}, Map.of())).config();
        ModelMap models = new ModelMap(c);
        assertEquals(Optional.of("a"), models.resolve("a"));
        assertEquals(Optional.of("opus"), models.resolve("c"));
        assertEquals(Optional.empty(), models.resolve("gpt-4o"));
    }
}
