package dev.warmstart.snapshot.plugin.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A snapshot that {@code mvn deploy} put into a Maven repository, named by its coordinates
 * ({@code snapshot.artifact}), and optionally the repository to fetch it from ({@code snapshot.repository}), so
 * a pipeline publishes exactly the artifact it deployed instead of building it again.
 *
 * @param groupId the project's groupId
 * @param artifactId the project's artifactId
 * @param version the project's version
 * @param classifier the snapshot's classifier ({@code snapshot} unless the build changed it)
 */
public record DeployedSnapshot(String groupId, String artifactId, String version, String classifier) {
    /** The type the build attaches the snapshot with. */
    public static final String TYPE = "tar";

    /** The classifier the build attaches the snapshot with by default. */
    public static final String CLASSIFIER = "snapshot";

    /**
     * @param coordinates {@code groupId:artifactId:version} or {@code groupId:artifactId:version:classifier}
     * @throws StoreTaskException when they have another shape
     */
    public static DeployedSnapshot parse(String coordinates) throws StoreTaskException {
        String[] p = coordinates.strip().split(":", -1);
        for (String part : p) {
            if (part.isBlank()) {
                p = new String[0];
                break;
            }
        }
        if (p.length == 3) {
            return new DeployedSnapshot(p[0], p[1], p[2], CLASSIFIER);
        }
        if (p.length == 4) {
            return new DeployedSnapshot(p[0], p[1], p[2], p[3]);
        }
        throw new StoreTaskException("snapshot.artifact '" + coordinates + "' is not groupId:artifactId:version"
                + " (or groupId:artifactId:version:classifier), e.g. com.example:support-bot:1.4.0");
    }

    /** A repository to fetch from: its id (which picks the settings.xml server's credentials) and URL. */
    public record Repository(String id, URI url) {
        /**
         * @param spec {@code id::default::url} (Maven 3.8's {@code altDeploymentRepository} form), {@code id::url},
         *     or a URL alone (id {@code snapshot-repository})
         * @throws StoreTaskException when it is none of these
         */
        public static Repository parse(String spec) throws StoreTaskException {
            String s = spec.strip();
            String[] p = s.split("::", -1);
            String id;
            String url;
            if (p.length == 1) {
                id = "snapshot-repository";
                url = p[0];
            } else if (p.length == 2) {
                id = p[0];
                url = p[1];
            } else if (p.length == 3 && p[1].equals("default")) {
                id = p[0];
                url = p[2];
            } else {
                throw new StoreTaskException("snapshot.repository '" + spec + "' is not id::default::url, id::url or"
                        + " a URL (the forms of altDeploymentRepository)");
            }
            String lower = url.toLowerCase(Locale.ROOT);
            if (id.isBlank()
                    || !(lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:"))) {
                throw new StoreTaskException("snapshot.repository '" + spec + "' needs an id and an http(s) or file:"
                        + " URL, as in -Dsnapshot.repository=releases::default::https://repo.example.com/releases");
            }
            try {
                return new Repository(id, new URI(url));
            } catch (URISyntaxException e) {
                throw new StoreTaskException("snapshot.repository '" + spec + "': not a URL: " + e.getReason());
            }
        }
    }

    @Override
    public String toString() {
        return groupId + ":" + artifactId + ":" + TYPE + ":" + classifier + ":" + version;
    }
}
