package dev.warmstart.snapshot.plugin.input;

import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_DUPLICATE_KEYS;

import dev.warmstart.snapshot.format.ConfigPath;
import java.nio.file.Path;
import java.util.Map;

/**
 * The lenient duplicate-key policy of Dify exports: reports a repeated key whose last value wins, and forgets the
 * locations recorded under the first value so lines point at the value kept. Strict readers have none and refuse
 * the repeated key themselves.
 */
final class DuplicateKeyPolicy {
    private final Path file;
    private final Problems problems;
    private final int lineOffset;
    private int count;

    DuplicateKeyPolicy(Path file, Problems problems, int lineOffset) {
        this.file = file;
        this.problems = problems;
        this.lineOffset = lineOffset;
    }

    /** @return false when the file holds so many repeated keys that it is refused (the error is reported) */
    boolean replaced(String path, String key, int firstLine, int lastLine, Map<String, int[]> locations) {
        if (++count > MAX_DUPLICATE_KEYS) {
            problems.error(
                    file,
                    lastLine + lineOffset,
                    0,
                    "more than " + MAX_DUPLICATE_KEYS + " repeated keys; this is not a Dify export as Dify"
                            + " writes it: export the app again");
            return false;
        }
        String child = ConfigPath.child(path, key);
        locations.keySet().removeIf(p -> p.equals(child) || p.startsWith(child + ".") || p.startsWith(child + "["));
        String where = problems.display(file).toString().replace('\\', '/');
        problems.warning(
                file,
                lastLine + lineOffset,
                0,
                "duplicate key '" + key + "'" + (path.isEmpty() ? "" : " under '" + path + "'") + " at "
                        + where + ":" + (firstLine + lineOffset) + " and " + where + ":" + (lastLine + lineOffset)
                        + "; the last value is used, as Dify's importer (PyYAML safe_load) does: delete the"
                        + " other one");
        return true;
    }
}
