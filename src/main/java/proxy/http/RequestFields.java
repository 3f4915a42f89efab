package proxy.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import proxy.chat.ErrorKind;

/**
 * Checks on the fields of a JSON request body, for the hand-written parser loops of both APIs.
 * Each reads the value the parser is positioned on (the loop has already called
 * {@code nextToken()}) and refuses anything else with a 400 whose message is
 * {@code "<where>: <why>"} and whose {@code param} is {@code where}.
 *
 * <p>{@code where} is built by the caller, in its API's path style: Anthropic names a field
 * {@code messages.0.content}, OpenAI {@code messages[0].content}. Nothing here knows either.
 */
public final class RequestFields {

    private RequestFields() {}

    /** Reads the body's first token, which must open an object; this 400 names no field. */
    public static void openBody(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new HttpError(ErrorKind.INVALID_REQUEST, "the request body must be a JSON object");
        }
    }

    public static String string(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.VALUE_STRING, where, "a string");
        return p.getText();
    }

    /** Longest model name taken: the name reaches the CLI's argv. */
    public static final int MAX_MODEL_LENGTH = 256;

    /**
     * A model name: a string of at most {@value #MAX_MODEL_LENGTH} printable characters (no
     * control characters, no lone surrogates), since it is passed on to the CLI's command line.
     */
    public static String model(JsonParser p, String where) throws IOException {
        return model(string(p, where), where);
    }

    /** Checks a model name read some other way; see {@link #model(JsonParser, String)}. */
    public static String model(String name, String where) {
        if (name.length() > MAX_MODEL_LENGTH) {
            throw invalid(where, "must be at most " + MAX_MODEL_LENGTH + " characters, got " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
                continue;
            }
            int type = Character.getType(c);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED) {
                throw invalid(where, "must hold only printable characters; found " + String.format("U+%04X", (int) c)
                        + " at index " + i);
            }
        }
        return name;
    }

    /** An integer, clamped to the {@code int} range rather than refused when it is larger. */
    public static int integer(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.VALUE_NUMBER_INT, where, "an integer");
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, p.getLongValue()));
    }

    public static boolean bool(JsonParser p, String where) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw invalid(where, "must be a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** Refuses any current token but {@code token}: "{@code where}: must be {@code what}". */
    public static void expect(JsonParser p, JsonToken token, String where, String what) {
        if (p.currentToken() != token) {
            throw invalid(where, "must be " + what);
        }
    }

    /** The 400 for the field at {@code where}; the caller throws it (and may add a code). */
    public static HttpError invalid(String where, String why) {
        return new HttpError(ErrorKind.INVALID_REQUEST, where + ": " + why).withParam(where);
    }
}
