package proxy.openai;

import static proxy.http.RequestFields.invalid;

import java.util.ArrayList;
import java.util.List;
import proxy.chat.Part;

/**
 * The deprecated {@code function_call} of assistant messages and the {@code function} messages
 * answering them, paired up while one request's messages are read. That API gives calls no
 * ids, and the neutral history needs them: the n-th legacy call of the request is
 * {@code call_legacy_<n>} (from 1), and a {@code function} message answers the latest call not
 * yet answered, of its {@code name} when it gives one.
 */
final class LegacyFunctionCalls {

    private final List<Part.ToolCall> open = new ArrayList<>();
    private int count;

    /** A new call, waiting for its answer. */
    Part.ToolCall call(String name, String inputJson) {
        Part.ToolCall call = new Part.ToolCall("call_legacy_" + ++count, name, inputJson);
        open.add(call);
        return call;
    }

    /**
     * The id of the call the {@code function} message at {@code where} answers; that call is then
     * answered. With none waiting, the message answers nothing: a 400 naming it.
     */
    String answer(String name, String where) {
        for (int i = open.size() - 1; i >= 0; i--) {
            if (name == null || open.get(i).name().equals(name)) {
                return open.remove(i).id();
            }
        }
        throw invalid(where, "a 'function' message answers an earlier assistant 'function_call'"
                + (name == null ? "" : " of '" + name + "'") + ", and none is waiting for its result");
    }
}
