package dev.raftkv.node;

import java.util.HashMap;
import java.util.Map;

/** A scrape in the Prometheus text format, parsed into its samples: {@code name{labels}} to value. */
final class MetricsText {
    private final Map<String, Double> samples = new HashMap<>();

    MetricsText(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** The sample named exactly so (labels in the order the writer puts them), or null if there is none. */
    Double get(String series) {
        return samples.get(series);
    }

    /** The sample, or 0 if it has not been written yet (a labelled series appears on its first observation). */
    double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    boolean hasSeriesStartingWith(String prefix) {
        return samples.keySet().stream().anyMatch(s -> s.startsWith(prefix));
    }
}
