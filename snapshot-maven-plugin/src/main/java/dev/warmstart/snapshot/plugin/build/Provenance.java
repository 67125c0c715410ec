package dev.warmstart.snapshot.plugin.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Where a snapshot comes from: the git commit of the work tree and the CI build, read without running any
 * program (no {@code git} binary needed) and never failing the build when unknown.
 */
public final class Provenance {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    /** CI systems and the variables that identify a build, most specific first. */
    private static final List<String[]> CI_VARIABLES = List.of(
            new String[] {"github", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"},
            new String[] {"gitlab", "CI_PIPELINE_ID", "CI_JOB_ID"},
            new String[] {"jenkins", "BUILD_TAG", null},
            new String[] {"buildkite", "BUILDKITE_BUILD_ID", null},
            new String[] {"circleci", "CIRCLE_WORKFLOW_ID", "CIRCLE_BUILD_NUM"},
            new String[] {"azure", "BUILD_BUILDID", null},
            new String[] {"teamcity", "BUILD_NUMBER", null},
            new String[] {"travis", "TRAVIS_BUILD_ID", null},
            new String[] {"bitbucket", "BITBUCKET_BUILD_NUMBER", null});

    private Provenance() {}

    /**
     * Collects the provenance fields that are known.
     *
     * @param projectCoordinates {@code groupId:artifactId:version}
     * @param baseDirectory the project directory (git is looked up from it upwards)
     * @param baseImage an optional base image digest, or null
     * @param env the environment (injectable for tests)
     * @return field name to value, sorted
     */
    public static Map<String, String> collect(
            String projectCoordinates, Path baseDirectory, String baseImage, UnaryOperator<String> env) {
        Map<String, String> fields = new TreeMap<>();
        if (projectCoordinates != null) {
            fields.put("project", projectCoordinates);
        }
        String commit = gitCommit(baseDirectory);
        if (commit != null) {
            fields.put("gitCommit", commit);
        }
        for (String[] ci : CI_VARIABLES) {
            String id = env.apply(ci[1]);
            if (id != null && !id.isBlank()) {
                String extra = ci[2] == null ? null : env.apply(ci[2]);
                fields.put("ciProvider", ci[0]);
                fields.put("ciBuild", extra == null || extra.isBlank() ? id : id + "." + extra);
                break;
            }
        }
        if (baseImage != null && !baseImage.isBlank()) {
            fields.put("baseImage", baseImage.strip());
        }
        return fields;
    }

    /**
     * Finds the commit checked out in the git work tree containing {@code directory}.
     *
     * @return the commit's hex id, or null when not in a git work tree or it cannot be read
     */
    public static String gitCommit(Path directory) {
        try {
            Path gitDir = findGitDir(directory.toAbsolutePath());
            if (gitDir == null) {
                return null;
            }
            String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8)
                    .strip();
            if (SHA.matcher(head).matches()) {
                return head;
            }
            if (!head.startsWith("ref: ")) {
                return null;
            }
            String ref = head.substring(5).strip();
            Path commonDir = commonDir(gitDir);
            for (Path base : new Path[] {gitDir, commonDir}) {
                Path loose = base.resolve(ref);
                if (Files.isRegularFile(loose)) {
                    String id = Files.readString(loose, StandardCharsets.UTF_8).strip();
                    return SHA.matcher(id).matches() ? id : null;
                }
            }
            Path packed = commonDir.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    String[] parts = line.split(" ");
                    if (parts.length == 2
                            && parts[1].equals(ref)
                            && SHA.matcher(parts[0]).matches()) {
                        return parts[0];
                    }
                }
            }
            return null; // an unborn branch: no commit yet
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Path findGitDir(Path start) throws IOException {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path git = dir.resolve(".git");
            if (Files.isDirectory(git)) {
                return git;
            }
            if (Files.isRegularFile(git)) {
                // a worktree or submodule: ".git" is a file saying "gitdir: <path>"
                String content = Files.readString(git, StandardCharsets.UTF_8).strip();
                if (content.startsWith("gitdir:")) {
                    return dir.resolve(content.substring(7).strip()).normalize();
                }
            }
        }
        return null;
    }

    private static Path commonDir(Path gitDir) throws IOException {
        Path file = gitDir.resolve("commondir");
        if (Files.isRegularFile(file)) {
            return gitDir.resolve(Files.readString(file, StandardCharsets.UTF_8).strip())
                    .normalize();
        }
        return gitDir;
    }
}
