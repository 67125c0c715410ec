package dev.warmstart.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Stages a real release of this reactor once, the way a maintainer would cut one: a copy of the project is built
 * with {@code -Prelease deploy}, signed with a throwaway GnuPG key whose passphrase comes from the environment
 * (loopback pinentry, no terminal), into a file repository. The tests then check what a repository manager or
 * Maven Central would check.
 */
class ReleaseProfileTest {
    private static final String GROUP_PATH = "dev/warmstart";
    private static final String PASSPHRASE = "release-test-passphrase";
    /** Modules users get: each must be staged with its POM, jar, sources and Javadoc, all signed. */
    private static final List<String> PUBLISHED_JARS =
            List.of("snapshot-loader", "snapshot-maven-plugin", "snapshot-spring-boot-starter");
    /** Modules that exist only to test: never staged. */
    private static final List<String> NEVER_PUBLISHED = List.of("snapshot-it", "snapshot-release-test");

    @TempDir
    static Path work;

    private static Path gnupgHome;
    private static Path project;
    private static Path staging;

    @BeforeAll
    static void stageSignedRelease() throws Exception {
        gnupgHome = Files.createDirectory(work.resolve("gpg"), asOwnerOnly());
        project = work.resolve("project");
        staging = work.resolve("staging");
        copyProject(Path.of(System.getProperty("release.projectRoot")).toRealPath(), project);

        run(
                work,
                work.resolve("keygen.log"),
                List.of(
                        "gpg",
                        "--batch",
                        "--pinentry-mode",
                        "loopback",
                        "--passphrase",
                        PASSPHRASE,
                        "--quick-gen-key",
                        "Warmstart Release Test <release-test@warmstart.invalid>",
                        "ed25519",
                        "sign",
                        "1d"));

        Path mvn = Path.of(System.getProperty("release.mavenHome"), "bin", "mvn");
        Path log = work.resolve("release-build.log");
        run(
                project,
                log,
                List.of(
                        mvn.toString(),
                        "-B",
                        "-ntp",
                        "-Prelease",
                        "deploy",
                        // Building and signing is what is under test here; the other modules test the code.
                        "-Dmaven.test.skip=true",
                        "-Dmdep.analyze.skip=true",
                        "-Dinvoker.skip=true",
                        "-Dspotless.check.skip=true",
                        // Never into the shared local repository: only the staging repository receives artifacts.
                        "-Dmaven.install.skip=true",
                        "-Dmaven.repo.local=" + System.getProperty("release.localRepository"),
                        "-DaltDeploymentRepository=release-test::" + staging.toUri(),
                        // The benchmarks take a third of the build and set maven.deploy.skip like `it`, which stays
                        // in to show that a module so marked is left out.
                        "-pl",
                        "!release-test,!bench"));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        Path log = work.resolve("release-build.log");
        if (Files.exists(log)) {
            // Kept beside this module's build output for a look after the run.
            Path buildDirectory = Path.of(System.getProperty("release.buildDirectory"));
            Files.createDirectories(buildDirectory);
            Files.copy(log, buildDirectory.resolve("release-build.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (gnupgHome != null) {
            // gpg started an agent for the throwaway keyring; it must not outlive the test.
            builder(List.of("gpgconf", "--kill", "gpg-agent"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void stagesTheParentAndEveryPublishedModuleButNoTestOrBenchmarkModule() throws IOException {
        Set<String> staged;
        try (Stream<Path> dirs = Files.list(staging.resolve(GROUP_PATH))) {
            staged = dirs.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(staged).contains("warmstart-parent").containsAll(PUBLISHED_JARS);
        assertThat(staged).doesNotContainAnyElementsOf(NEVER_PUBLISHED);
        assertThat(files(staging, "warmstart-parent"))
                .anySatisfy(f -> assertThat(f.getFileName().toString()).endsWith(".pom"));
    }

    @Test
    void stagesPomJarSourcesAndJavadocOfTheLoaderAndThePlugin() throws IOException {
        for (String artifactId : PUBLISHED_JARS) {
            List<String> names = files(staging, artifactId).stream()
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toList());
            assertThat(names).as(artifactId).anyMatch(n -> n.endsWith(".pom"));
            assertThat(names).as(artifactId).anyMatch(n -> n.endsWith("-sources.jar"));
            assertThat(names).as(artifactId).anyMatch(n -> n.endsWith("-javadoc.jar"));
            assertThat(names)
                    .as(artifactId + " main jar")
                    .anyMatch(n -> n.endsWith(".jar") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar"));
        }
    }

    @Test
    void everyStagedFileHasASignatureThatGpgAccepts() throws Exception {
        List<Path> signed = new ArrayList<>();
        for (Path file : allStagedArtifacts()) {
            Path signature = file.resolveSibling(file.getFileName() + ".asc");
            assertThat(signature).as("signature of " + staging.relativize(file)).exists();
            assertThat(gpgVerify(signature, file))
                    .as("gpg --verify " + staging.relativize(signature))
                    .contains("[GNUPG:] VALIDSIG");
            signed.add(file);
        }
        // pom, jar, sources, javadoc of two modules, and the parent's pom at least.
        assertThat(signed).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void gpgRejectsASignedArtifactWhoseBytesChanged() throws Exception {
        Path jar = files(staging, "snapshot-loader").stream()
                .filter(p -> p.getFileName().toString().endsWith("-sources.jar"))
                .findFirst()
                .orElseThrow();
        Path tampered = work.resolve("tampered.jar");
        Files.copy(jar, tampered, StandardCopyOption.REPLACE_EXISTING);
        Files.write(tampered, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);

        assertThat(gpgVerify(jar.resolveSibling(jar.getFileName() + ".asc"), tampered))
                .doesNotContain("[GNUPG:] VALIDSIG")
                .contains("[GNUPG:] BADSIG");
    }

    @Test
    void loaderPomDeclaresNoRuntimeDependency() throws Exception {
        Path pom = files(staging, "snapshot-loader").stream()
                .filter(p -> p.getFileName().toString().endsWith(".pom"))
                .findFirst()
                .orElseThrow();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        NodeList dependencies = doc.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertThat(text(dependency, "scope"))
                    .as("scope of " + text(dependency, "artifactId") + " in the loader's POM")
                    .isEqualTo("test");
        }
    }

    @Test
    void parentPomCarriesLicenceUrlScmDevelopersAndIssueTracker() throws Exception {
        Path pom = files(staging, "warmstart-parent").stream()
                .filter(p -> p.getFileName().toString().endsWith(".pom"))
                .findFirst()
                .orElseThrow();
        Element parent = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(pom.toFile())
                .getDocumentElement();
        assertThat(childText(parent, "url")).startsWith("https://");
        Element license = (Element) parent.getElementsByTagName("license").item(0);
        assertThat(text(license, "name")).isEqualTo("Apache-2.0");
        assertThat(text(license, "url")).isNotBlank();
        Element scm = (Element) parent.getElementsByTagName("scm").item(0);
        assertThat(text(scm, "connection")).startsWith("scm:git:");
        assertThat(text(scm, "developerConnection")).startsWith("scm:git:");
        assertThat(text(scm, "url")).startsWith("https://");
        assertThat(parent.getElementsByTagName("developer").getLength()).isPositive();
        Element issues =
                (Element) parent.getElementsByTagName("issueManagement").item(0);
        assertThat(text(issues, "url")).startsWith("https://");
    }

    @Test
    void javadocJarOpensOnTheLoaderPackageOverviewAndSourcesJarHoldsTheSources() throws IOException {
        Path javadoc = stagedFile("snapshot-loader", "-javadoc.jar");
        try (ZipFile zip = new ZipFile(javadoc.toFile())) {
            assertThat(zip.getEntry("index.html")).isNotNull();
            var overview =
                    zip.getEntry("dev.warmstart.snapshot.loader/dev/warmstart/snapshot/loader/package-summary.html");
            assertThat(overview).isNotNull();
            String page = new String(zip.getInputStream(overview).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(page).contains("Where to start", "Snapshot.open");
        }
        Path sources = stagedFile("snapshot-loader", "-sources.jar");
        try (ZipFile zip = new ZipFile(sources.toFile())) {
            assertThat(zip.getEntry("dev/warmstart/snapshot/loader/Snapshot.java"))
                    .isNotNull();
            assertThat(zip.getEntry("module-info.java")).isNotNull();
        }
    }

    @Test
    void loaderJarIsAPlainJarWithItsJava22MappingBesideTheJava17ClassesWhenAJdk25BuildsIt() throws IOException {
        // snapshot-loader's java22-variant profile is active when this JDK exists (it does on CI).
        assumeTrue(
                Files.isExecutable(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/javac")),
                "no JDK 25: the loader is built as a Java 17-only jar");
        Path jar = files(staging, "snapshot-loader").stream()
                .filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".jar") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar");
                })
                .findFirst()
                .orElseThrow(() -> new AssertionError("no snapshot-loader jar staged"));
        // Not multi-release: from JDK 24 on, opening a jar with versioned entries costs every service's start-up
        // the JVM's first lambda. The loader chooses the Java 22 class at run time instead.
        try (JarFile zip = new JarFile(jar.toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
            assertThat(zip.isMultiRelease()).as("Multi-Release in " + jar).isFalse();
            assertThat(zip.getManifest().getMainAttributes().getValue("Multi-Release"))
                    .isNull();
            assertThat(zip.stream().map(JarEntry::getName)).noneMatch(name -> name.startsWith("META-INF/versions/"));
            assertThat(majorVersion(zip, "dev/warmstart/snapshot/loader/ArenaFileMapping.class"))
                    .as("Java 22")
                    .isEqualTo(66);
            assertThat(majorVersion(zip, "dev/warmstart/snapshot/loader/FileMapping.class"))
                    .as("Java 17")
                    .isEqualTo(61);
            assertThat(majorVersion(zip, "module-info.class")).as("Java 17").isEqualTo(61);
        }
    }

    private static int majorVersion(JarFile jar, String name) throws IOException {
        JarEntry entry = jar.getJarEntry(name);
        assertThat(entry).as(name + " in " + jar.getName()).isNotNull();
        try (DataInputStream in = new DataInputStream(jar.getInputStream(entry))) {
            assertThat(in.readInt()).as("class file magic of " + name).isEqualTo(0xCAFEBABE);
            in.readUnsignedShort(); // minor version
            return in.readUnsignedShort();
        }
    }

    @Test
    void pluginGoalPagesDocumentEveryParameterWithItsProperty() throws Exception {
        Path site = project.resolve("snapshot-maven-plugin/target/site");
        assertThat(site.resolve("plugin-info.html")).exists();
        Document descriptor = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(project.resolve("snapshot-maven-plugin/target/classes/META-INF/maven/plugin.xml")
                        .toFile());
        NodeList mojos = descriptor.getElementsByTagName("mojo");
        assertThat(mojos.getLength()).isGreaterThanOrEqualTo(2);
        for (int i = 0; i < mojos.getLength(); i++) {
            Element mojo = (Element) mojos.item(i);
            String goal = text(mojo, "goal");
            Path page = site.resolve(goal + "-mojo.html");
            assertThat(page).as("goal page of " + goal).exists();
            String html = Files.readString(page);
            Map<String, String> properties = userProperties(mojo);
            Element parameters =
                    (Element) mojo.getElementsByTagName("parameters").item(0);
            NodeList parameterList = parameters == null ? null : parameters.getElementsByTagName("parameter");
            for (int j = 0; parameterList != null && j < parameterList.getLength(); j++) {
                Element parameter = (Element) parameterList.item(j);
                if (!"true".equals(text(parameter, "editable"))) {
                    continue;
                }
                String name = text(parameter, "name");
                assertThat(html).as(goal + " page lists " + name).contains("&lt;" + name + "&gt;");
                String property = properties.get(name);
                if (property != null) {
                    assertThat(html)
                            .as(goal + " page gives the property of " + name)
                            .contains(property);
                }
            }
        }
    }

    /** Parameter name to user property, from the descriptor's {@code <configuration>} expressions. */
    private static Map<String, String> userProperties(Element mojo) {
        Map<String, String> properties = new HashMap<>();
        NodeList configuration = mojo.getElementsByTagName("configuration");
        if (configuration.getLength() == 0) {
            return properties;
        }
        NodeList values = ((Element) configuration.item(0)).getChildNodes();
        for (int i = 0; i < values.getLength(); i++) {
            if (values.item(i) instanceof Element value) {
                String expression = value.getTextContent().trim();
                if (expression.startsWith("${") && expression.endsWith("}") && !expression.contains("project.")) {
                    properties.put(value.getTagName(), expression.substring(2, expression.length() - 1));
                }
            }
        }
        return properties;
    }

    private static String childText(Element parent, String tag) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(tag)) {
                return child.getTextContent().trim();
            }
        }
        return null;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    private static Path stagedFile(String artifactId, String suffix) throws IOException {
        return files(staging, artifactId).stream()
                .filter(p -> p.getFileName().toString().endsWith(suffix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + suffix + " staged for " + artifactId));
    }

    /** The artifacts themselves: not their signatures, checksums or repository metadata. */
    private static List<Path> allStagedArtifacts() throws IOException {
        try (Stream<Path> all = Files.walk(staging)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return !n.startsWith("maven-metadata")
                                && !n.endsWith(".asc")
                                && !n.endsWith(".md5")
                                && !n.endsWith(".sha1")
                                && !n.endsWith(".sha256")
                                && !n.endsWith(".sha512");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static List<Path> files(Path repository, String artifactId) throws IOException {
        try (Stream<Path> all = Files.walk(repository.resolve(GROUP_PATH).resolve(artifactId))) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("maven-metadata"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Runs {@code gpg --verify} and returns its machine-readable status lines, whatever the exit code. */
    private static String gpgVerify(Path signature, Path file) throws Exception {
        Process gpg = builder(List.of(
                        "gpg", "--batch", "--status-fd", "1", "--verify", signature.toString(), file.toString()))
                .redirectErrorStream(true)
                .start();
        gpg.getOutputStream().close();
        String output = new String(gpg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        gpg.waitFor(60, TimeUnit.SECONDS);
        return output;
    }

    private static void run(Path directory, Path log, List<String> command) throws Exception {
        ProcessBuilder builder = builder(command).directory(directory.toFile());
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish; log: " + log);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with exit status " + process.exitValue()
                    + "; last lines of " + log + ":\n" + tail(log, 60));
        }
    }

    /** The keyring and the passphrase reach gpg and the nested build through the environment, as on a CI runner. */
    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("GNUPGHOME", gnupgHome.toString());
        builder.environment().put("MAVEN_GPG_PASSPHRASE", PASSPHRASE);
        return builder;
    }

    private static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static java.nio.file.attribute.FileAttribute<?> asOwnerOnly() {
        // gpg warns about a home directory that others can read.
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    }

    /** Copies the reactor without build output or version control, so the nested build never touches this one. */
    private static void copyProject(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!dir.equals(from) && (name.equals("target") || name.equals(".git"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().equals(".git")) {
                    return FileVisitResult.CONTINUE; // a worktree's pointer to its repository
                }
                try {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
