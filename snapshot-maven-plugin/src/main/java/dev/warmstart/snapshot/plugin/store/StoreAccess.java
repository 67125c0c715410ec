package dev.warmstart.snapshot.plugin.store;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.StoreCredentials;
import java.io.IOException;
import java.util.Map;

/**
 * The credentials a store goal sends to a remote store. A Maven user names a {@code <server>} of
 * {@code settings.xml} by id (its password decrypted by Maven first): {@code <username>} with {@code <password>}
 * is HTTP basic, a {@code <password>} alone is a bearer token. Without a server id they come from the environment,
 * as for the loader's CLI and services: {@code WARMSTART_STORE_TOKEN}, or {@code WARMSTART_STORE_USER} with
 * {@code WARMSTART_STORE_PASSWORD}, or {@code WARMSTART_STORE_CREDENTIALS} naming a properties file. The extra CA
 * file always comes from {@code WARMSTART_STORE_CA_FILE}. No secret ever appears in a log line or a message.
 */
public final class StoreAccess {
    private StoreAccess() {}

    /** A {@code settings.xml} server's credentials, as Maven decrypted them; either may be null. */
    public record Server(String id, String username, String password) {
        @Override
        public String toString() {
            return "Server[" + id + "]";
        }
    }

    /**
     * @param serverId the id of the {@code <server>} to use, or null/blank for the environment
     * @param server that server as found in the settings, or null when there is none with that id
     * @param env the environment ({@code System.getenv()})
     * @throws StoreTaskException when a server id is given but the settings hold no such server, or it holds no
     *     password
     * @throws IOException when a credentials file named in the environment cannot be read
     */
    public static HttpStoreSettings settings(String serverId, Server server, Map<String, String> env)
            throws StoreTaskException, IOException {
        HttpStoreSettings fromEnv = HttpStoreSettings.fromEnvironment(env);
        if (serverId == null || serverId.isBlank()) {
            return fromEnv;
        }
        if (server == null) {
            throw new StoreTaskException(
                    "settings.xml has no <server> with id '" + serverId + "' (-Dsnapshot.serverId);"
                            + " add one with <username> and <password> (basic) or <password> alone (a bearer token),"
                            + " or leave snapshot.serverId out to take the credentials from WARMSTART_STORE_* variables");
        }
        String user = server.username();
        String password = server.password();
        if (password == null || password.isEmpty()) {
            throw new StoreTaskException("the <server> '" + serverId + "' of settings.xml holds no <password>; add"
                    + " the password (with <username>: basic) or the token (alone: bearer)");
        }
        return fromEnv.withCredentials(
                user == null || user.isBlank()
                        ? StoreCredentials.bearer(password)
                        : StoreCredentials.basic(user, password));
    }
}
