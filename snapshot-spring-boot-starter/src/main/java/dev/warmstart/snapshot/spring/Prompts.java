package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import java.util.List;
import java.util.Map;

/**
 * The prompt templates of the snapshot chosen for the current request: inside a web request routed by the
 * starter's filter (or a {@link CurrentSelection#bind} scope), the request's snapshot; elsewhere, the stable
 * snapshot serving now.
 *
 * <pre>{@code
 * String text = prompts.render("support/answer", Map.of("question", question));
 * }</pre>
 */
public class Prompts {
    private final ServingSnapshots serving;

    /** @param serving where the stable snapshot comes from outside requests */
    public Prompts(ServingSnapshots serving) {
        this.serving = serving;
    }

    /**
     * Renders a prompt with the given values.
     *
     * @throws dev.warmstart.snapshot.loader.MissingEntryException when the snapshot has no such prompt
     * @throws dev.warmstart.snapshot.loader.MissingVariableException when a variable has no value
     */
    public String render(String name, Map<String, ?> values) {
        return prompt(name).render(values);
    }

    /** @return the template {@code name} */
    public PromptTemplate prompt(String name) {
        return snapshot().prompt(name);
    }

    /** @return the names of every prompt */
    public List<String> names() {
        return snapshot().promptNames();
    }

    /** @return the id of the snapshot these prompts come from now */
    public String snapshotId() {
        return snapshot().id();
    }

    /** @return the current request's snapshot, else the stable one */
    public Snapshot snapshot() {
        return CurrentSelection.get().map(SnapshotSelection::snapshot).orElseGet(serving::stableSnapshot);
    }
}
