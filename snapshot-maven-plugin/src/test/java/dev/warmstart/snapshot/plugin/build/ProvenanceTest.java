package dev.warmstart.snapshot.plugin.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    @Test
    void commitIsReadFromALooseRefAboveTheProject() throws IOException {
        Path git = Files.createDirectories(dir.resolve(".git/refs/heads"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("main"), COMMIT + "\n");
        Path module = Files.createDirectories(dir.resolve("services/app"));
        assertThat(Provenance.gitCommit(module)).isEqualTo(COMMIT);
    }

    @Test
    void commitIsReadFromPackedRefs() throws IOException {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/release\n");
        Files.writeString(
                dir.resolve(".git/packed-refs"), "# pack-refs with: peeled\n" + COMMIT + " refs/heads/release\n");
        assertThat(Provenance.gitCommit(dir)).isEqualTo(COMMIT);
    }

    @Test
    void detachedHeadIsTheCommitItself() throws IOException {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), COMMIT + "\n");
        assertThat(Provenance.gitCommit(dir)).isEqualTo(COMMIT);
    }

    @Test
    void worktreeGitFileIsFollowed() throws IOException {
        Path real = Files.createDirectories(dir.resolve("repo/.git/worktrees/wt"));
        Files.writeString(real.resolve("HEAD"), "ref: refs/heads/feature\n");
        Files.writeString(real.resolve("commondir"), "../..\n");
        Files.createDirectories(dir.resolve("repo/.git/refs/heads"));
        Files.writeString(dir.resolve("repo/.git/refs/heads/feature"), COMMIT + "\n");
        Path worktree = Files.createDirectories(dir.resolve("wt"));
        Files.writeString(worktree.resolve(".git"), "gitdir: " + real + "\n");
        assertThat(Provenance.gitCommit(worktree)).isEqualTo(COMMIT);
    }

    @Test
    void outsideAGitWorkTreeThereIsNoCommitAndNoFailure() {
        assertThat(Provenance.gitCommit(dir)).isNull();
        Map<String, String> fields = Provenance.collect("g:a:1", dir, null, name -> null);
        assertThat(fields).containsOnlyKeys("project");
    }

    @Test
    void ciBuildIdComesFromTheUsualVariables() {
        Map<String, String> env = Map.of("GITHUB_RUN_ID", "42", "GITHUB_RUN_ATTEMPT", "2");
        Map<String, String> fields = Provenance.collect("g:a:1", dir, "sha256:abc", env::get);
        assertThat(fields)
                .containsEntry("ciProvider", "github")
                .containsEntry("ciBuild", "42.2")
                .containsEntry("baseImage", "sha256:abc");
        assertThat(Provenance.collect("g:a:1", dir, null, Map.of("CI_PIPELINE_ID", "7")::get))
                .containsEntry("ciProvider", "gitlab")
                .containsEntry("ciBuild", "7");
    }
}
