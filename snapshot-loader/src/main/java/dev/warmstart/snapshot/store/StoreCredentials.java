package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

/**
 * Credentials for a remote store: none, HTTP basic, or a bearer token. The secret never appears in
 * {@link #toString()}, in a log line or in an exception message; only its kind does.
 *
 * <p>From the environment ({@link #fromEnvironment}): {@code WARMSTART_STORE_TOKEN} (bearer), or
 * {@code WARMSTART_STORE_USER} with {@code WARMSTART_STORE_PASSWORD} (basic), or {@code WARMSTART_STORE_CREDENTIALS}
 * naming a properties file with {@code token=…} or {@code user=…} and {@code password=…} (mount a secret there).
 */
public final class StoreCredentials {
    /** No credentials. */
    public static final StoreCredentials NONE = new StoreCredentials("none", null);

    private final String kind;
    private final String authorization;

    private StoreCredentials(String kind, String authorization) {
        this.kind = kind;
        this.authorization = authorization;
    }

    /** @return HTTP basic credentials */
    public static StoreCredentials basic(String user, String password) {
        String pair = user + ":" + password;
        return new StoreCredentials(
                "basic", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /** @return a bearer token */
    public static StoreCredentials bearer(String token) {
        return new StoreCredentials("bearer", "Bearer " + token);
    }

    /**
     * Reads credentials from {@code env} (pass {@code System.getenv()}): see the class comment.
     *
     * @throws IOException when the named credentials file cannot be read or holds neither form
     */
    public static StoreCredentials fromEnvironment(Map<String, String> env) throws IOException {
        String token = env.get("WARMSTART_STORE_TOKEN");
        if (token != null && !token.isEmpty()) {
            return bearer(token);
        }
        String user = env.get("WARMSTART_STORE_USER");
        if (user != null && !user.isEmpty()) {
            return basic(user, env.getOrDefault("WARMSTART_STORE_PASSWORD", ""));
        }
        String file = env.get("WARMSTART_STORE_CREDENTIALS");
        if (file != null && !file.isEmpty()) {
            return fromFile(Path.of(file));
        }
        return NONE;
    }

    /**
     * Reads a properties file holding {@code token=…}, or {@code user=…} and {@code password=…}.
     *
     * @throws IOException when it cannot be read or holds neither form (the message names the file, never a value)
     */
    public static StoreCredentials fromFile(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        String token = p.getProperty("token");
        if (token != null && !token.isBlank()) {
            return bearer(token.strip());
        }
        String user = p.getProperty("user");
        if (user != null && !user.isBlank()) {
            return basic(user.strip(), p.getProperty("password", "").strip());
        }
        throw new IOException(file + " holds neither 'token=' nor 'user=' (with 'password='); write one of them");
    }

    /** @return the {@code Authorization} header value, or null for none */
    String authorization() {
        return authorization;
    }

    /** @return {@code none}, {@code basic} or {@code bearer} */
    public String kind() {
        return kind;
    }

    /** @return the kind only, never the secret */
    @Override
    public String toString() {
        return "StoreCredentials[" + kind + "]";
    }
}
