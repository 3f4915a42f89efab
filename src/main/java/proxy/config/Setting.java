package proxy.config;

/**
 * One option's text as given, and where it came from, for {@code --print-config} and for
 * errors that must point at a config file line.
 *
 * @param value  the text as given, before parsing
 * @param source {@code flag}, {@code env CLAUDE_PROXY_X} or {@code file PATH:LINE}
 * @param file   whether it came from a config file (its errors then name the line)
 */
record Setting(String value, String source, boolean file) {

    static Setting flag(String value) {
        return new Setting(value, "flag", false);
    }

    static Setting env(String name, String value) {
        return new Setting(value, "env " + name, false);
    }

    static Setting file(String where, String value) {
        return new Setting(value, "file " + where, true);
    }
}
