package dev.warmstart.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.loader.RecipeService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipe 2 of {@code docs/cold-start.md}, the container image, built and run for real: the test takes the
 * {@code dockerfile} block of that section as written, builds it with Podman around a small service (a jar whose
 * manifest puts the loader jar on its class path, and its snapshot, laid out as the recipe's {@code target/}
 * paths), runs the image with its own {@code ENTRYPOINT} and checks that the service starts, prints what the
 * snapshot says, and took the loader's classes from the AOT cache the build's training run wrote.
 *
 * <p>No registry is reached: the recipe's {@code BASE} build argument gets a local stand-in for
 * {@code eclipse-temurin:25-jre}, made by the test from the machine's Temurin 25 JDK (at {@code /opt/java/openjdk}
 * with {@code JAVA_HOME} and {@code PATH} as in the Temurin images, plus {@code /bin/sh} and the C libraries
 * {@code ldd} names for it), and every command has {@code --pull=never}.
 *
 * <p>What this machine needs from Podman, and why: image storage in the test's own folder ({@code --root},
 * {@code --runroot}), so nothing is left behind; {@code --isolation chroot} for the build's {@code RUN} step,
 * which allows only {@code --network host} (the step uses no network); runc with cgroupfs to run the container
 * (crun refuses the machine's hybrid cgroup layout); and explicit ulimits, since the machine does not let a
 * container raise its open-files and processes limits to Podman's defaults.
 *
 * <p>In this package rather than next to {@code ClassDataArchiveRecipeTest} so that it runs once: the loader
 * package's tests run a second time on Java 25, and the image's Java does not depend on the test's.
 *
 * <p>Skipped, saying why, where Podman or runc is missing ({@code apt-get install podman runc}, as
 * {@code .ci/run} does), where the test does not run as root, or where no JDK 25 is installed.
 */
class ContainerImageRecipeTest {
    private static final String BASE_IMAGE = "localhost/warmstart-test/temurin-stand-in:25";
    private static final String APP_IMAGE = "localhost/warmstart-test/cold-start-recipe:latest";
    private static final String CONTAINER = "warmstart-cold-start-recipe";

    private static final String EXPECTED = "started: gpt-4o Hello Ada";

    /** A service: prints what its snapshot says, then serves until stopped, or exits at once if told to. */
    private static final String APP = """
            import dev.warmstart.snapshot.loader.Snapshot;
            import java.nio.file.Path;
            import java.util.Map;

            public class App {
                public static void main(String[] args) throws Exception {
                    try (Snapshot snapshot = Snapshot.open(Path.of(args[0]))) {
                        String model = snapshot.config().getString("model.name");
                        String text = snapshot.prompt("greet").render(Map.of("name", "Ada"));
                        System.out.println("started: " + model + " " + text);
                    }
                    if (!Boolean.getBoolean("app.exitAfterStart")) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private List<String> podman;

    @AfterEach
    void removeContainerAndImages() throws Exception {
        if (podman != null) {
            // Images are removed by Podman (it unmounts their layers) before @TempDir deletes the storage.
            quietly("rm", "--force", "--time", "0", CONTAINER);
            quietly("rmi", "--all", "--force");
        }
    }

    @Test
    void theRecipesImageStartsTheServiceWithTheLoaderClassesFromTheAotCache() throws Exception {
        Path jdk25 = RecipeService.jdk25OrSkip("the container-image recipe (Java 25 AOT cache)");
        assumeTrue(
                onPath("podman") && (onPath("runc") || Files.isExecutable(Path.of("/usr/sbin/runc"))),
                "podman or runc is not installed: the container-image recipe of docs/cold-start.md is not built"
                        + " here; apt-get install podman runc (as .ci/run does) to build it");
        assumeTrue(
                Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "not running as root: this test does not set up rootless Podman, so the container-image recipe"
                        + " of docs/cold-start.md is not built here");
        podman = List.of(
                "podman",
                "--root",
                dir.resolve("storage/root").toString(),
                "--runroot",
                dir.resolve("storage/run").toString(),
                "--tmpdir",
                dir.resolve("storage/tmp").toString(),
                "--storage-driver",
                "overlay",
                "--runtime",
                "runc",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "none");

        Path baseContext = standInBaseImageContext(jdk25, dir.resolve("base"));
        podman("build", "--isolation", "chroot", "--network", "host", "--pull=never", "-t", BASE_IMAGE, ".")
                .in(baseContext)
                .succeeds();

        Path context = buildContext(dir.resolve("app"));
        Files.writeString(context.resolve("Dockerfile"), recipeDockerfile());
        String build = podman(
                        "build",
                        "--isolation",
                        "chroot",
                        "--network",
                        "host",
                        "--pull=never",
                        "--build-arg",
                        "BASE=" + BASE_IMAGE,
                        "-t",
                        APP_IMAGE,
                        ".")
                .in(context)
                .succeeds();
        assertThat(build).as("the training run in the build").contains(EXPECTED);

        // -XX:AOTMode=on: the JVM refuses to start when it cannot use the cache the ENTRYPOINT names, instead of
        // doing without; the class-loading log shows where each class came from.
        List<String> run = new ArrayList<>(podman);
        run.addAll(List.of(
                "run",
                "--name",
                CONTAINER,
                "--pull=never",
                "--network",
                "none",
                "--ulimit",
                "nofile=4096:4096",
                "--ulimit",
                "nproc=8192:8192",
                "--env",
                "JAVA_TOOL_OPTIONS=-XX:AOTMode=on -Xlog:class+load",
                APP_IMAGE));
        Process service = new ProcessBuilder(run).redirectErrorStream(true).start();
        try {
            CompletableFuture<List<String>> untilStarted =
                    CompletableFuture.supplyAsync(() -> linesUntilStarted(service));
            List<String> output = untilStarted.get(120, TimeUnit.SECONDS);
            String log = String.join("\n", output);
            assertThat(output).as(log).anySatisfy(line -> assertThat(line).contains(EXPECTED));
            assertThat(service.isAlive())
                    .as("the service still runs after start-up\n" + log)
                    .isTrue();
            for (String type : List.of("Snapshot", "MappedFile", "SnapshotIndex", "Config", "PromptTemplate")) {
                assertThat(log)
                        .as("class loading log")
                        .contains("dev.warmstart.snapshot.loader." + type + " source: shared objects file");
            }
            assertThat(log).contains(" App source: shared objects file");
        } finally {
            quietly("rm", "--force", "--time", "0", CONTAINER);
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The {@code dockerfile} block of "Recipe 2: a container image" in docs/cold-start.md, as written. */
    private static String recipeDockerfile() throws IOException {
        String doc = Files.readString(projectRoot().resolve("docs/cold-start.md"));
        int section = doc.indexOf("\n## Recipe 2: a container image\n");
        assertThat(section)
                .as("docs/cold-start.md has the section \"Recipe 2: a container image\"")
                .isNotNegative();
        int next = doc.indexOf("\n## ", section + 1);
        Matcher block = Pattern.compile("(?s)\n```dockerfile\n(.*?)\n```\n")
                .matcher(doc.substring(section, next < 0 ? doc.length() : next));
        assertThat(block.find()).as("a ```dockerfile block in recipe 2").isTrue();
        return block.group(1) + "\n";
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/cold-start.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as(
                        "a directory above %s holding docs/cold-start.md",
                        Path.of("").toAbsolutePath())
                .isNotNull();
        return dir;
    }

    /**
     * What the recipe's {@code COPY} lines take: {@code target/app.jar}, the loader jar in {@code target/lib}
     * (named in the app jar's manifest) and {@code target/snapshot/app-snapshot.tar}.
     */
    private static Path buildContext(Path context) throws Exception {
        Path target = context.resolve("target");
        Path lib = Files.createDirectories(target.resolve("lib"));
        Path loaderJar = RecipeService.loaderJar(lib.resolve("snapshot-loader.jar"));
        RecipeService.writeSnapshot(
                Files.createDirectories(target.resolve("snapshot")).resolve("app-snapshot.tar"));
        RecipeService.serviceJar(APP, loaderJar, target.resolve("app.jar"), context.resolve("app-build"));
        return context;
    }

    /**
     * A build context for the stand-in of {@code eclipse-temurin:25-jre}: a root file system holding the JDK at
     * {@code /opt/java/openjdk}, {@code /bin/sh} (the recipe's {@code RUN} line is in shell form) and the shared
     * libraries both need, taken from this machine.
     */
    private static Path standInBaseImageContext(Path jdk, Path context) throws Exception {
        Path rootfs = Files.createDirectories(context.resolve("rootfs"));
        copyTree(jdk.toRealPath(), rootfs.resolve("opt/java/openjdk"));
        Path shell = Path.of("/bin/sh").toRealPath();
        copyFile(shell, rootfs.resolve("bin/sh"));
        Set<String> libraries = new TreeSet<>();
        List<String> binaries = new ArrayList<>(List.of(shell.toString()));
        try (Stream<Path> files = Files.walk(jdk.toRealPath())) {
            files.filter(file -> file.toString().endsWith(".so")
                            || file.getParent().endsWith("bin") && Files.isExecutable(file))
                    .map(Path::toString)
                    .forEach(binaries::add);
        }
        for (String binary : binaries) {
            Matcher library = Pattern.compile("(?m)(?:=> )?(/\\S+) \\(0x").matcher(ldd(binary));
            while (library.find()) {
                libraries.add(library.group(1));
            }
        }
        for (String library : libraries) {
            if (!library.startsWith(jdk.toRealPath().toString())) {
                copyFile(Path.of(library).toRealPath(), rootfs.resolve(library.substring(1)));
            }
        }
        Files.writeString(
                Files.createDirectories(rootfs.resolve("etc")).resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        Files.createDirectories(rootfs.resolve("root"));
        Files.setPosixFilePermissions(
                Files.createDirectories(rootfs.resolve("tmp")), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(context.resolve("Containerfile"), """
                FROM scratch
                COPY rootfs/ /
                ENV JAVA_HOME=/opt/java/openjdk
                ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                """);
        return context;
    }

    /**
     * ldd's answer, or nothing for a file that is not a dynamic executable or library. (The JDK's own libraries
     * find {@code libjvm.so} only inside a running JVM, so ldd reports it "not found" for them; it is in the copied
     * JDK.)
     */
    private static String ldd(String binary) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder("ldd", binary).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ldd exited").isTrue();
        return process.exitValue() == 0 ? output : "";
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(copy);
                } else if (Files.isSymbolicLink(file) && !file.toRealPath().startsWith(from)) {
                    // A link out of the JDK (Debian's packages link cacerts to /etc/ssl) would dangle in the image.
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void copyFile(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, command)));
    }

    /** Reads the service's output until it says it has started (or ends), keeping every line. */
    private static List<String> linesUntilStarted(Process service) {
        List<String> lines = new ArrayList<>();
        try {
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
                if (line.contains(EXPECTED)) {
                    break;
                }
            }
        } catch (IOException e) {
            lines.add(e.toString());
        }
        return lines;
    }

    private Command podman(String... args) {
        List<String> command = new ArrayList<>(podman);
        command.addAll(List.of(args));
        return new Command(command, null);
    }

    private void quietly(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(podman);
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // Clean-up only: the test's result stands.
        }
    }

    private record Command(List<String> command, Path directory) {
        Command in(Path where) {
            return new Command(command, where);
        }

        /** Runs the command to its end, asserting exit status 0, and returns what it printed. */
        String succeeds() throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command)
                    .directory(directory == null ? null : directory.toFile())
                    .redirectErrorStream(true)
                    .start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            boolean exited = process.waitFor(300, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String printed = output.join();
            assertThat(exited)
                    .as("exited in time: " + String.join(" ", command) + "\n" + printed)
                    .isTrue();
            assertThat(process.exitValue())
                    .as(String.join(" ", command) + "\n" + printed)
                    .isZero();
            return printed;
        }
    }
}
