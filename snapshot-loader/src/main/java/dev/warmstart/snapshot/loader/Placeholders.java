package dev.warmstart.snapshot.loader;

import java.util.function.UnaryOperator;

/**
 * Resolves the placeholders of a config string at lookup time: {@code ${env:NAME}}, {@code ${sys:NAME}}, either
 * with {@code :-default}, and the {@code $${} escape for a literal {@code ${}.
 */
final class Placeholders {
    private final UnaryOperator<String> env;
    private final UnaryOperator<String> sys;
    private final String source;

    /**
     * @param env the environment variables, or null for the process's ({@link System#getenv(String)})
     * @param sys the system properties, or null for the process's ({@link System#getProperty(String)})
     * @param source the file, for error messages
     */
    // Null rather than a default UnaryOperator: a class less to load on a service's start-up path, and no lambda.
    Placeholders(UnaryOperator<String> env, UnaryOperator<String> sys, String source) {
        this.env = env;
        this.sys = sys;
        this.source = source;
    }

    /**
     * @param raw the stored text
     * @param key the full key, for error messages
     * @throws ConfigException when a placeholder is unclosed, or names a variable that is unset and has no default
     */
    String resolve(String raw, String key) {
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            boolean isEnv = raw.startsWith("${env:", i);
            if (isEnv || raw.startsWith("${sys:", i)) {
                int close = raw.indexOf('}', i);
                if (close < 0) {
                    throw Failures.config(source + ": config key '" + key + "' has an unclosed placeholder '"
                            + raw.substring(i) + "'");
                }
                String body = raw.substring(i + 6, close);
                int dflt = body.indexOf(":-");
                String name = dflt >= 0 ? body.substring(0, dflt) : body;
                String value = isEnv ? lookUp(env, name, true) : lookUp(sys, name, false);
                if (value == null) {
                    if (dflt < 0) {
                        throw Failures.config(source + ": config key '" + key + "' needs the "
                                + (isEnv ? "environment variable " : "system property ") + name
                                + ", which is not set; set it (or give a default: ${" + (isEnv ? "env:" : "sys:") + name
                                + ":-value})");
                    }
                    value = body.substring(dflt + 2);
                }
                out.append(value);
                i = close + 1;
                continue;
            }
            out.append(raw.charAt(i));
            i++;
        }
        return out.toString();
    }

    private static String lookUp(UnaryOperator<String> variables, String name, boolean isEnv) {
        if (variables != null) {
            return variables.apply(name);
        }
        return isEnv ? System.getenv(name) : System.getProperty(name);
    }
}
