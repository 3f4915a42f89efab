package proxy.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * A record made of named values (an access log line): written as fields of the record's own
 * JSON object with {@code --log-format json}, as its {@link #toString()} in text. Log it as the
 * only parameter, {@code LOG.log(level, "{0}", fields)}; any other logger shows the text.
 */
public interface LogFields {

    /** Writes the fields into the record's JSON object, which is open. */
    void write(JsonGenerator g) throws IOException;
}
