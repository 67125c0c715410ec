package dev.warmstart.bench.cold;

import java.util.Map;

/** The naive template fill services do without pre-tokenized templates: one replace per variable. */
final class Fill {
    private Fill() {}

    static String fill(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("{{" + e.getKey() + "}}", e.getValue());
        }
        return out;
    }
}
