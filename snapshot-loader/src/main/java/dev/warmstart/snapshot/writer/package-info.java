/**
 * Writing snapshot files: what {@code snapshot-maven-plugin} uses to compile config and prompts into a snapshot.
 * Services read snapshots with {@link dev.warmstart.snapshot.loader.Snapshot} and do not need this package.
 */
package dev.warmstart.snapshot.writer;
