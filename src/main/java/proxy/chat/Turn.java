package proxy.chat;

import java.util.List;

/** One message of the conversation. */
public record Turn(Role role, List<Part> parts) {

    public enum Role {
        USER("user"),
        ASSISTANT("assistant");

        private final String wireName;

        Role(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public Turn {
        parts = List.copyOf(parts);
    }

    public static Turn user(String text) {
        return new Turn(Role.USER, List.of(new Part.Text(text)));
    }

    public static Turn assistant(String text) {
        return new Turn(Role.ASSISTANT, List.of(new Part.Text(text)));
    }
}
