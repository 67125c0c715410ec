package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.plugin.input.Problems;
import java.nio.file.Path;

/**
 * Dify's DSL version rule ({@code check_version_compatibility} in {@code api/services/dsl_version.py}), with its
 * confirm step mapped onto {@link DifyVersionPolicy}. Dify compares with the version its own release writes:
 *
 * <table>
 *   <caption>Dify's answer, and the build's</caption>
 *   <tr><th>imported version</th><th>Dify</th><th>this rule</th></tr>
 *   <tr><td>not a version</td><td>failed</td><td>error</td></tr>
 *   <tr><td>newer</td><td>pending (user confirms)</td><td>error under {@code strict}; warning under {@code warn},
 *       read as the newest known version</td></tr>
 *   <tr><td>older major</td><td>pending</td><td>as newer (no older major exists while the newest is 0.x)</td></tr>
 *   <tr><td>older minor</td><td>completed with warnings</td><td>warning</td></tr>
 *   <tr><td>older patch or equal</td><td>completed</td><td>accepted</td></tr>
 * </table>
 */
final class DslVersionRule {
    /** What the compiler does after the rule. */
    enum Outcome {
        /** Refused; the error is reported. */
        REFUSED,
        /** Read as is (perhaps with a warning). */
        ACCEPTED,
        /** Accepted under {@link DifyVersionPolicy#WARN}: read as the newest known version. */
        ACCEPTED_AS_NEWEST
    }

    private DslVersionRule() {}

    static Outcome check(String version, DifyVersionPolicy policy, Path file, int line, Problems problems) {
        String newest = DifyAppCompiler.NEWEST_KNOWN_DSL_VERSION;
        int[] have = parse(version);
        int[] known = parse(newest);
        if (have == null) {
            problems.error(
                    file,
                    line,
                    0,
                    "DSL version '" + version + "' is not a version number like " + newest
                            + " (Dify refuses it too); export the app again from Dify");
            return Outcome.REFUSED;
        }
        int cmp = compare(have, known);
        boolean otherMajor = have[0] != known[0];
        if (cmp > 0 || otherMajor) {
            String what = otherMajor
                    ? "DSL version " + version + " is of major version " + have[0]
                            + ", this plugin reads major version " + known[0] + " (up to " + newest + ")"
                    : "DSL version " + version + " is newer than " + newest + ", the newest this plugin knows";
            if (policy == DifyVersionPolicy.STRICT) {
                problems.error(
                        file,
                        line,
                        0,
                        what + "; Dify itself imports such a file only after you confirm it. To accept it, set <"
                                + DifyVersionPolicy.PARAMETER + ">warn</" + DifyVersionPolicy.PARAMETER + "> (-D"
                                + DifyVersionPolicy.PROPERTY + "=warn) and it is read as " + newest
                                + "; or upgrade snapshot-maven-plugin, or export from a Dify that writes " + newest);
                return Outcome.REFUSED;
            }
            problems.warning(
                    file,
                    line,
                    0,
                    what + "; read as " + newest + " because " + DifyVersionPolicy.PARAMETER
                            + " is warn: settings it added are kept as config, prompts in fields this plugin does"
                            + " not know are not compiled (each such field is named below)");
            return Outcome.ACCEPTED_AS_NEWEST;
        }
        if (have[1] < known[1]) {
            problems.warning(
                    file,
                    line,
                    0,
                    "DSL version " + version + " is older than " + newest
                            + "; it is read as is, as Dify does (re-export from a current Dify to silence this)");
        }
        return Outcome.ACCEPTED;
    }

    /** A version as Dify's {@code packaging.version} reads the plain cases: one to three numbers. */
    static int[] parse(String version) {
        String[] parts = version.strip().split("\\.", -1);
        if (parts.length < 1 || parts.length > 3) {
            return null;
        }
        int[] out = new int[3];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
