package proxy.config;

import java.util.Map;

/**
 * The text of {@code --print-config}: one line per option, in {@code --help} order, with the
 * value in effect and where it came from ({@code flag}, {@code env NAME}, {@code file PATH:LINE}
 * or {@code default}). The API key is never printed, only that it is set and how long it is.
 */
final class ConfigReport {

    private ConfigReport() {}

    static String text(Map<Option, Setting> settings, ConfigFile.Location file, Config config) {
        StringBuilder sb = new StringBuilder();
        for (Option option : Option.values()) {
            Setting setting = settings.get(option);
            String value;
            String source;
            if (option == Option.CONFIG) {
                value = file.shown();
                source = file.source();
            } else if (setting == null) {
                value = option == Option.MODEL_MAP ? Config.DEFAULT_MODEL_MAP : option.defaultText();
                source = "default";
            } else {
                value = option == Option.API_KEY ? masked(config) : setting.value();
                source = setting.source();
            }
            sb.append(String.format("%-24s %s  (%s)%n", option.flag(), value, source));
        }
        return sb.toString();
    }

    /** Enough to tell which key is in use, without showing any of it. */
    private static String masked(Config config) {
        return config.access().apiKey().map(k -> "(set, " + k.value().length() + " chars)").orElse("(set)");
    }
}
