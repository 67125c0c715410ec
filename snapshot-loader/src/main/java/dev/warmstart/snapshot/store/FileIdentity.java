package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Which file a path names and whether it changed: its file key (device and inode on Unix, null where the platform
 * has none), size and modification time. A verification is trusted only for the identity it was made on: a file
 * replaced under the same name (a new inode) or written in place (a new time or size) is verified again.
 */
record FileIdentity(Object fileKey, long size, FileTime modified) {
    /** @return the identity of {@code file} now */
    static FileIdentity of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileIdentity(a.fileKey(), a.size(), a.lastModifiedTime());
    }

    /** Written out: checked on every switch, which runs rarely and so interpreted (see VerifiedSnapshots.Key). */
    @Override
    public boolean equals(Object o) {
        return o instanceof FileIdentity f
                && size == f.size
                && Objects.equals(fileKey, f.fileKey)
                && Objects.equals(modified, f.modified);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileKey, size, modified);
    }
}
