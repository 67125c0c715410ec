package dev.warmstart.snapshot.spring;

/**
 * The configured {@code warmstart.snapshot.location} cannot be served: missing, unreadable, not a snapshot or a
 * store, or a kind of location this version does not support. {@link SnapshotLocationFailureAnalyzer} turns it
 * into a start-up report that names the property and what to do.
 */
public class SnapshotLocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String action;

    /**
     * @param location the configured value
     * @param problem what is wrong with it
     * @param action what the user should do
     * @param cause the underlying failure, or null
     */
    public SnapshotLocationException(String location, String problem, String action, Throwable cause) {
        super(WarmstartProperties.PREFIX + ".location=" + location + ": " + problem, cause);
        this.location = location;
        this.action = action;
    }

    /** @return the configured location */
    public String location() {
        return location;
    }

    /** @return what the user should do */
    public String action() {
        return action;
    }
}
