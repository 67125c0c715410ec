/**
 * The snapshot file format's constants and encodings, shared by the writer and the reader so the format is
 * defined in one place (the specification is {@code docs/format.md}). Services do not need this package; it is
 * exported for {@code snapshot-maven-plugin}.
 */
package dev.warmstart.snapshot.format;
