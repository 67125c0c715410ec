/**
 * Reading a snapshot: the API a service puts on its class path to serve config values and prompt templates
 * straight from a memory-mapped snapshot file built by {@code snapshot-maven-plugin}.
 *
 * <h2>Where to start</h2>
 *
 * <p>{@link dev.warmstart.snapshot.loader.Snapshot#open(java.nio.file.Path,
 * dev.warmstart.snapshot.loader.SnapshotOption...) Snapshot.open} maps one snapshot file; keep the
 * {@link dev.warmstart.snapshot.loader.Snapshot} open for as long as the service runs and share it between
 * threads. From it:
 *
 * <ul>
 *   <li>{@link dev.warmstart.snapshot.loader.Snapshot#config()} gives the {@link dev.warmstart.snapshot.loader.Config}
 *       table: typed lookups by dotted key ({@code getString("model.name")}, {@code getDouble(...)},
 *       {@code getStringList(...)}), with {@code ${env:NAME}} placeholders resolved at each lookup;
 *   <li>{@link dev.warmstart.snapshot.loader.Snapshot#prompt(String)} gives a
 *       {@link dev.warmstart.snapshot.loader.PromptTemplate} to
 *       {@link dev.warmstart.snapshot.loader.PromptTemplate#render(java.util.Map) render} with the request's
 *       values;
 *   <li>{@link dev.warmstart.snapshot.loader.Snapshot#metadata()} tells which build made the snapshot.
 * </ul>
 *
 * <pre>{@code
 * try (Snapshot snapshot = Snapshot.open(Path.of("support-bot-1.0.0-snapshot.tar"))) {
 *     String model = snapshot.config().getString("model.name");
 *     String text = snapshot.prompt("support/answer").render(Map.of("question", question));
 * }
 * }</pre>
 *
 * <h2>Integrity</h2>
 *
 * <p>Opening checks the structure only, so it costs the same for any size; call
 * {@link dev.warmstart.snapshot.loader.Snapshot#verify()} to check every byte against its SHA-256, or open with
 * {@link dev.warmstart.snapshot.loader.SnapshotOption#VERIFY_ON_FIRST_ACCESS} to check each entry on its first
 * use.
 *
 * <h2>Errors</h2>
 *
 * <p>Every failure is an unchecked {@link dev.warmstart.snapshot.loader.SnapshotException} naming the file and what
 * to do: a {@link dev.warmstart.snapshot.loader.CorruptSnapshotException} refuses the whole file,
 * {@link dev.warmstart.snapshot.loader.UnsupportedFormatVersionException} a file from a newer plugin,
 * {@link dev.warmstart.snapshot.loader.MissingEntryException},
 * {@link dev.warmstart.snapshot.loader.MissingVariableException} and
 * {@link dev.warmstart.snapshot.loader.ConfigException} a lookup that cannot be answered.
 *
 * <p>To serve several snapshot versions at once (canaries, hot switching, automatic rollback), use
 * {@link dev.warmstart.snapshot.store.SnapshotManager} in {@code dev.warmstart.snapshot.store} instead of opening
 * files yourself.
 */
package dev.warmstart.snapshot.loader;
