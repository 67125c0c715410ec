package dev.warmstart.snapshot.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a wrong {@code warmstart.snapshot.location} at start-up: the property, its value, why, what to do. */
public class SnapshotLocationFailureAnalyzer extends AbstractFailureAnalyzer<SnapshotLocationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SnapshotLocationException cause) {
        return new FailureAnalysis(
                "Warmstart cannot serve the snapshot named by " + cause.getMessage(),
                "Check the property " + WarmstartProperties.LOCATION + " (application.yml, the environment variable"
                        + " WARMSTART_SNAPSHOT_LOCATION or --" + WarmstartProperties.LOCATION + "=...). "
                        + cause.action(),
                cause);
    }
}
