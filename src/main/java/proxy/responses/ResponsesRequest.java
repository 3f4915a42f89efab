package proxy.responses;

import static proxy.http.RequestFields.bool;
import static proxy.http.RequestFields.integer;
import static proxy.http.RequestFields.invalid;
import static proxy.http.RequestFields.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import proxy.chat.ClientTools;
import proxy.chat.Conversation;
import proxy.chat.Turn;
import proxy.http.ImageUrls;
import proxy.http.RequestFields;
import proxy.json.Node;
import proxy.openai.ModelMap;
import proxy.openai.OpenAiFields;

/**
 * A {@code POST /v1/responses} body, read with one streaming pass into the neutral
 * {@link Conversation}. Unknown fields are skipped and {@code null} means "not given" for every
 * top-level field; what the CLI cannot do is refused with a 400 whose message and {@code param}
 * name the field ({@code input[2].content[0].type}). The {@code input} items are translated by
 * {@link ResponseInput}, the tool fields by {@link ResponseTools}.
 *
 * <p>System text is {@code instructions}, then the input's developer and system messages, joined
 * by blank lines. {@code reasoning.effort} maps to the CLI's effort as Chat Completions'
 * {@code reasoning_effort} does ({@code none}: no reasoning, and no summary either); a
 * {@code reasoning.summary} asks for reasoning to be shown as summary text.
 * {@code text.format} is flat here ({@code {type:"json_schema", name, schema}}).
 *
 * <p>Order of answers: any 400 for the body comes first; then an unknown model is a 404; only
 * then are image URLs fetched, so a doomed request costs no fetch.
 *
 * @param model              the model as the client asked for it (echoed in the response)
 * @param conversation       what the CLI runs for this request's own {@code input} (resolved model,
 *                           instructions and developer/system messages as system text, tools,
 *                           tool choice, limits, effort, schema); a {@code previous_response_id}'s
 *                           turns are NOT in it (the handler puts them before these turns)
 * @param stream             {@code stream}
 * @param store              {@code store} (default true)
 * @param previousResponseId {@code previous_response_id}, if given
 * @param functions          client tool name (as in {@code conversation.tools()}) → the function's
 *                           Responses name, for every offered function (namespaced ones flattened)
 * @param reasoningSummary   whether {@code reasoning.summary} asked for summaries (then reasoning
 *                           is shown as reasoning items with summary text)
 * @param echo               the fields the response object repeats
 * @param ignored            fields accepted but not acted on, for {@code x-claude-proxy-ignored}
 *                           (hosted tools as {@code tools[web_search]})
 */
record ResponsesRequest(
        String model,
        Conversation conversation,
        boolean stream,
        boolean store,
        Optional<String> previousResponseId,
        Map<String, FunctionName> functions,
        boolean reasoningSummary,
        ResponseEcho echo,
        List<String> ignored) {

    /** Sampling, tracking and caching fields: accepted, named in {@link #ignored}, not acted on. */
    private static final Set<String> IGNORED = Set.of("include", "prompt_cache_key", "client_metadata", "truncation",
            "user", "service_tier", "temperature", "top_p", "safety_identifier", "prompt_cache_retention",
            "top_logprobs", "stream_options");

    /** {@code reasoning}: the CLI's effort level, if any, and whether summaries were asked for. */
    private record Reasoning(Optional<String> effort, boolean summary) {
        static final Reasoning NONE = new Reasoning(Optional.empty(), false);
    }

    static ResponsesRequest read(JsonParser p, ModelMap models, ImageUrls images) throws IOException {
        RequestFields.openBody(p);
        String model = null;
        String instructions = "";
        ResponseInput input = null;
        OptionalInt maxTokens = OptionalInt.empty();
        boolean stream = false;
        boolean store = true;
        Optional<String> previous = Optional.empty();
        Optional<String> jsonSchema = Optional.empty();
        Reasoning reasoning = Reasoning.NONE;
        ResponseTools tools = new ResponseTools();
        Map<String, Node> echo = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            JsonToken token = p.nextToken();
            Node sent = Node.MISSING;
            if (ResponseEcho.NAMES.contains(f)) {
                // a scalar stays the current token, so the checks below still see it; a container
                // is consumed and is checked as the node
                sent = Node.read(p);
                echo.put(f, sent);
            }
            if (token == JsonToken.VALUE_NULL) {
                continue; // clients send null for "not given"
            }
            switch (f) {
                case "model" -> model = RequestFields.model(p, f);
                case "input" -> input = ResponseInput.read(p, images);
                case "instructions" -> instructions = string(p, f);
                case "max_output_tokens" -> maxTokens = OptionalInt.of(positive(p, f));
                case "stream" -> stream = bool(p, f);
                case "store" -> store = bool(p, f);
                case "previous_response_id" -> previous = Optional.of(string(p, f));
                case "metadata" -> {
                    if (!sent.isObject()) {
                        throw invalid(f, "must be an object");
                    }
                }
                case "reasoning" -> reasoning = reasoning(sent);
                case "text" -> jsonSchema = text(sent, ignored);
                case "tools" -> {
                    if (token != JsonToken.START_ARRAY) {
                        throw invalid(f, "must be an array");
                    }
                    tools.tools(sent);
                }
                case "tool_choice" -> tools.choice(sent);
                case "parallel_tool_calls" -> tools.parallel(bool(p, f));
                case "background" -> {
                    if (bool(p, f)) {
                        throw invalid(f, "background responses are not supported by claude-proxy");
                    }
                }
                case "conversation" -> throw invalid(f, "conversations are not supported by claude-proxy; "
                        + "use previous_response_id, or send the whole history in input");
                case "prompt" -> throw invalid(f, "prompt templates are not supported by claude-proxy; "
                        + "send instructions and input instead");
                default -> {
                    p.skipChildren(); // a no-op for what was read into the echo already
                    if (IGNORED.contains(f) && !ignored.contains(f)) {
                        ignored.add(f);
                    }
                }
            }
        }
        if (model == null || model.isBlank()) {
            throw invalid("model", "Field required").withCode("missing_required_parameter");
        }
        if (input == null) {
            throw invalid("input", "Field required").withCode("missing_required_parameter");
        }
        ClientTools clientTools = tools.clientTools();
        String requested = model;
        String resolved = models.resolve(requested).orElseThrow(() -> ModelMap.notFound(requested));
        List<Turn> turns = input.turns(); // fetches image URLs, now that the request is known to be good
        List<String> system = new ArrayList<>();
        if (!instructions.isEmpty()) {
            system.add(instructions);
        }
        system.addAll(input.system());
        Optional<String> systemText = system.isEmpty() ? Optional.empty() : Optional.of(String.join("\n\n", system));
        boolean thinking = reasoning.effort().isPresent() || reasoning.summary();
        Conversation conversation = new Conversation(resolved, systemText, turns, maxTokens, List.of(),
                thinking, OptionalInt.empty(), reasoning.effort(), jsonSchema, clientTools);
        ignored.addAll(tools.ignored());
        return new ResponsesRequest(requested, conversation, stream, store, previous, tools.functions(),
                reasoning.summary(), new ResponseEcho(echo), List.copyOf(ignored));
    }

    /** {@code {effort?, summary?, generate_summary?}}; effort {@code none} turns summaries off too. */
    private static Reasoning reasoning(Node r) {
        if (!r.isObject()) {
            throw invalid("reasoning", "must be an object");
        }
        Optional<String> effort = Optional.empty();
        boolean none = false;
        Node e = r.get("effort");
        if (!e.isMissing() && !e.isNull()) {
            if (e.text() == null) {
                throw invalid("reasoning.effort", "must be a string");
            }
            effort = OpenAiFields.effort(e.text(), "reasoning.effort");
            none = effort.isEmpty();
        }
        boolean summary = summary(r, "summary") | summary(r, "generate_summary"); // the old name of summary
        return new Reasoning(effort, summary && !none);
    }

    /** Whether {@code reasoning.<field>} asks for summaries. */
    private static boolean summary(Node r, String field) {
        Node s = r.get(field);
        if (s.isMissing() || s.isNull()) {
            return false;
        }
        return switch (String.valueOf(s.text())) {
            case "auto", "concise", "detailed" -> true; // the CLI has one kind of reasoning text: all show it
            default -> throw invalid("reasoning." + field, "must be 'auto', 'concise' or 'detailed'");
        };
    }

    /** {@code text: {format?, verbosity?}}: the JSON schema the answer must follow, if the format asks for one. */
    private static Optional<String> text(Node text, List<String> ignored) {
        if (!text.isObject()) {
            throw invalid("text", "must be an object");
        }
        Node verbosity = text.get("verbosity");
        if (!verbosity.isMissing() && !verbosity.isNull() && !ignored.contains("text.verbosity")) {
            ignored.add("text.verbosity"); // the CLI has no such knob
        }
        Node format = text.get("format");
        if (format.isMissing() || format.isNull()) {
            return Optional.empty();
        }
        if (!format.isObject()) {
            throw invalid("text.format", "must be an object");
        }
        return switch (String.valueOf(format.text("type"))) {
            case "text" -> Optional.empty();
            case "json_object" -> Optional.of("{\"type\":\"object\"}");
            case "json_schema" -> {
                Node schema = format.get("schema"); // flat, unlike Chat Completions; name and strict: nothing to do with them
                if (!schema.isObject()) {
                    throw invalid("text.format.schema", "Field required: a JSON schema object");
                }
                yield Optional.of(schema.toJson());
            }
            default -> throw invalid("text.format.type", "must be 'text', 'json_object' or 'json_schema'");
        };
    }

    private static int positive(JsonParser p, String where) throws IOException {
        int v = integer(p, where);
        if (v < 1) {
            throw invalid(where, "must be a positive integer");
        }
        return v;
    }
}
