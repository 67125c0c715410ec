package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.nio.file.FileSystemException;

/**
 * Makes the exceptions that the open, lookup and render path throws, typed as their JDK superclasses.
 *
 * <p>Why a class of its own: when the JVM verifies a class it loads every exception class that class's methods
 * throw, catch or return as a {@code Throwable}, whether or not one is ever thrown, and each class the loader's jar
 * supplies costs a cold JVM about 0.2 ms to find, read and define (docs/cold-start.md). Created here, behind a
 * static call the verifier does not follow, an exception class is loaded only when one is thrown: a service that
 * opens a sound snapshot loads none of them.
 */
final class Failures {
    private Failures() {}

    /** @return a {@link CorruptSnapshotException} */
    static RuntimeException corrupt(String message) {
        return new CorruptSnapshotException(message);
    }

    /** @return a {@link CorruptSnapshotException} with its cause */
    static RuntimeException corrupt(String message, Throwable cause) {
        return new CorruptSnapshotException(message, cause);
    }

    /** @return an {@link UnsupportedFormatVersionException} */
    static RuntimeException unsupportedVersion(String message) {
        return new UnsupportedFormatVersionException(message);
    }

    /** @return a {@link MissingEntryException} */
    static RuntimeException missingEntry(String message) {
        return new MissingEntryException(message);
    }

    /** @return a {@link MissingVariableException} for {@code variable} */
    static RuntimeException missingVariable(String message, String variable) {
        return new MissingVariableException(message, variable);
    }

    /** @return a {@link ConfigException} */
    static RuntimeException config(String message) {
        return new ConfigException(message);
    }

    /** @return a {@link ConfigException} with its cause */
    static RuntimeException config(String message, Throwable cause) {
        return new ConfigException(message, cause);
    }

    /** @return a {@link SnapshotException} */
    static RuntimeException snapshot(String message) {
        return new SnapshotException(message);
    }

    /** @return a {@link SnapshotException} with its cause */
    static RuntimeException snapshot(String message, Throwable cause) {
        return new SnapshotException(message, cause);
    }

    /** @return a {@link FileSystemException} for {@code file}, which is {@code what} */
    static IOException notRegularFile(String file, String what) {
        return new FileSystemException(file, null, what);
    }
}
