package proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), as a scraper reads it:
 * every sample belongs to a metric announced by {@code # TYPE} before it, names and labels are
 * well formed, values are numbers, no series appears twice, and each histogram's buckets are
 * cumulative and end with {@code +Inf} equal to its {@code _count}.
 */
final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Series (name and labels as written, e.g. {@code x_total{a="b"}}) to values. */
    private final Map<String, Double> series = new LinkedHashMap<>();

    private PrometheusText() {}

    static PrometheusText parse(String text) {
        PrometheusText t = new PrometheusText();
        Map<String, String> types = new HashMap<>();
        assertTrue(text.endsWith("\n"), "the exposition ends with a newline");
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ", 4);
                assertTrue(parts.length == 4 && NAME.matcher(parts[2]).matches(), line);
                if (line.startsWith("# TYPE ")) {
                    assertTrue(parts[3].matches("counter|gauge|histogram|summary|untyped"), line);
                    assertEquals(null, types.put(parts[2], parts[3]), "one TYPE per metric: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "a sample line: " + line);
            String name = m.group(1);
            String family = types.containsKey(name) ? name : name.replaceFirst("_(bucket|sum|count)$", "");
            assertTrue(types.containsKey(family), "a sample of an announced metric: " + line);
            double value = m.group(4).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(4));
            String key = name + (m.group(2) == null ? "" : m.group(2)).replace(",}", "}");
            assertEquals(null, t.series.put(key, value), "each series once: " + line);
        }
        t.checkHistograms(types);
        return t;
    }

    private void checkHistograms(Map<String, String> types) {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<String, Double> last = new HashMap<>();
            series.forEach((key, value) -> {
                if (key.startsWith(family + "_bucket{")) {
                    String group = key.replaceAll(",?le=\"[^\"]*\"", "").replace("_bucket", "");
                    Double before = last.put(group, value);
                    assertTrue(before == null || before <= value, "cumulative buckets: " + key);
                    if (key.contains("le=\"+Inf\"")) {
                        String count = group.replace(family, family + "_count").replace("{}", "");
                        assertEquals(series.get(count), value, "+Inf equals _count for " + key);
                    }
                }
            });
        });
    }

    /** The value of the series {@code name} with exactly {@code labels} (in the order written), or 0 if absent. */
    double value(String name, String... labels) {
        StringBuilder key = new StringBuilder(name);
        if (labels.length > 0) {
            key.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                key.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
            }
            key.append('}');
        }
        return series.getOrDefault(key.toString(), 0.0);
    }

    /** The sum over every series of {@code name} whose labels include {@code label="value"}. */
    double sum(String name, String label, String value) {
        double sum = 0;
        for (Map.Entry<String, Double> e : series.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(name + "{") || key.equals(name)) {
                Matcher m = LABEL.matcher(key);
                while (m.find()) {
                    if (m.group(1).equals(label) && m.group(2).equals(value)) {
                        sum += e.getValue();
                    }
                }
            }
        }
        return sum;
    }
}
