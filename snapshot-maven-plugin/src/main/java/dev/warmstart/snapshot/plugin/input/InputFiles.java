package dev.warmstart.snapshot.plugin.input;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Lists the input files of one input directory, and says what it read. Symbolic links are followed only while
 * they stay inside the directory: a link such as {@code prompts/a.txt -> /etc/passwd} would otherwise put a file
 * from elsewhere on the machine into the snapshot, so it is an error unless {@code followExternalLinks} is set.
 */
final class InputFiles {
    private final InputSettings settings;
    private final Problems problems;
    private final Consumer<String> log;

    InputFiles(InputSettings settings, Problems problems, Consumer<String> log) {
        this.settings = settings;
        this.problems = problems;
        this.log = log;
    }

    /**
     * @param what what the directory holds, for messages ({@code config}, {@code prompts}, {@code apps})
     * @param parameter the plugin parameter that sets the directory
     * @param dir the directory
     * @param conventional the directory's default place: a missing default is normal, a missing setting is not
     * @return the matching regular files under {@code dir}, sorted
     */
    List<Path> list(
            String what, String parameter, Path dir, String conventional, List<String> includes, List<String> excludes)
            throws IOException {
        Path shown = problems.display(dir);
        if (!Files.exists(dir)) {
            if (dir.toAbsolutePath()
                    .normalize()
                    .equals(settings.baseDirectory()
                            .resolve(conventional)
                            .toAbsolutePath()
                            .normalize())) {
                log.accept("No " + what + " directory (" + shown + "): nothing to read there");
            } else {
                problems.warning(
                        dir,
                        0,
                        0,
                        "the " + what + " directory set by <" + parameter
                                + "> does not exist, so nothing was read from it; fix the path or create it");
            }
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            problems.error(dir, 0, 0, "<" + parameter + "> must name a directory, but this is a file");
            return List.of();
        }
        List<PathMatcher> in = matchers(includes);
        List<PathMatcher> out = matchers(excludes);
        // File-name matchers need no relative path (UnixPath.relativize per file is most of what is left).
        boolean matchByName = bySuffixOnly(in) && bySuffixOnly(out);
        Path root = dir.toRealPath();
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            /** Directories on the current path reached through a link: below them a file may be elsewhere. */
            private final Set<Path> linkedDirectories = new HashSet<>();

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(dir) && Files.isSymbolicLink(d)) {
                    if (refusedOutside(d, "a directory")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    linkedDirectories.add(d);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                linkedDirectories.remove(d);
                return super.postVisitDirectory(d, e);
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path relative = matchByName ? f : dir.relativize(f);
                if (!matches(in, relative) || matches(out, relative)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    // FOLLOW_LINKS still hands over the link itself when its target does not exist.
                    problems.warning(
                            f,
                            0,
                            0,
                            "is a symbolic link to " + Files.readSymbolicLink(f)
                                    + ", which does not exist; nothing was read from it");
                } else if (attrs.isRegularFile() && !(mayLeave(f) && refusedOutside(f, "a file"))) {
                    files.add(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    problems.error(f, 0, 0, "symbolic links form a loop here; remove the link that points back");
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            /**
             * @return whether {@code f} may resolve outside the input directory: it is a link, or under one. A
             *     plain file under plain directories is where it stands, so its real path (several system calls)
             *     is not needed.
             */
            private boolean mayLeave(Path f) {
                return !linkedDirectories.isEmpty() || Files.isSymbolicLink(f);
            }

            /** @return true after reporting {@code p} when it resolves outside the input directory */
            private boolean refusedOutside(Path p, String kind) throws IOException {
                Path real = p.toRealPath();
                if (real.startsWith(root)) {
                    return false;
                }
                if (settings.followExternalLinks()) {
                    log.accept("Following " + problems.display(p) + " to " + real + " (followExternalLinks)");
                    return false;
                }
                problems.error(
                        p,
                        0,
                        0,
                        "is " + kind + " reached through a symbolic link to " + real + ", outside the " + what
                                + " directory " + shown + "; copy what is needed into the directory, or set"
                                + " <followExternalLinks>true</followExternalLinks> (-Dsnapshot.followExternalLinks)"
                                + " to accept links that leave it");
                return true;
            }
        });
        files.sort(null);
        log.accept("Read " + files.size() + " file" + (files.size() == 1 ? "" : "s") + " from " + shown);
        return files;
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        List<PathMatcher> out = new ArrayList<>();
        for (String glob : globs) {
            PathMatcher suffix = suffixMatcher(glob);
            if (suffix != null) {
                out.add(suffix);
                continue;
            }
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            // "**/*.yml" should match top-level files too, as in Maven's own includes.
            if (glob.startsWith("**/")) {
                out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
            }
        }
        return out;
    }

    /**
     * @return a matcher for the common {@code **}{@code /*.ext} glob (with its top-level twin) that compares the file
     *     name's ending instead of running a regular expression per file (most of listing 10,000 files), or null
     *     for any other glob. Only where globs match case-sensitively with {@code /} separators, as on Linux and
     *     macOS; elsewhere the file system's own matcher decides.
     */
    static PathMatcher suffixMatcher(String glob) {
        if (File.separatorChar != '/' || !glob.startsWith("**/*.")) {
            return null;
        }
        String suffix = glob.substring(4);
        for (int i = 1; i < suffix.length(); i++) {
            char c = suffix.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return null;
            }
        }
        if (suffix.length() < 2) {
            return null;
        }
        return new SuffixMatcher(suffix);
    }

    private static boolean bySuffixOnly(List<PathMatcher> matchers) {
        for (PathMatcher m : matchers) {
            if (!(m instanceof SuffixMatcher)) {
                return false;
            }
        }
        return true;
    }

    /** Matches a path whose file name ends with a suffix: it matches a relative path as its absolute one. */
    private record SuffixMatcher(String suffix) implements PathMatcher {
        @Override
        public boolean matches(Path path) {
            Path name = path.getFileName();
            return name != null && name.toString().endsWith(suffix);
        }
    }

    /** @return {@code file}'s path relative to {@code dir}, as text: {@code dir.relativize(file)} without its cost */
    static String relativeName(Path dir, Path file) {
        String d = dir.toString();
        String f = file.toString();
        if (f.length() > d.length() + 1 && f.startsWith(d) && f.charAt(d.length()) == File.separatorChar) {
            return f.substring(d.length() + 1);
        }
        return dir.relativize(file).toString();
    }

    private static boolean matches(List<PathMatcher> matchers, Path relative) {
        for (PathMatcher m : matchers) {
            if (m.matches(relative)) {
                return true;
            }
        }
        return false;
    }
}
