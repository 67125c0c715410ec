package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SignatureLayout;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedSnapshotTest {
    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path dir;

    static Path write(Path file, SnapshotSigner signer, String greeting) throws Exception {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", Map.of("model", Map.of("name", "gpt-4o", "temperature", 0.2)));
        try (SnapshotWriter writer = SnapshotWriter.create(file).signWith(signer)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, table.toTableBytes());
            writer.addEntry(
                    SnapshotFormat.promptEntryName("greet"),
                    SnapshotFormat.KIND_PROMPT,
                    PromptCompiler.compile(new PromptSource("greet", greeting, PromptSyntax.PLAIN, null, Map.of()))
                            .toBytes());
            writer.finish(CREATED, "test", "1", Map.of("gitCommit", "abc", "project", "g:a:1"));
        }
        return file;
    }

    private Path signed(String key) throws Exception {
        return write(dir.resolve("signed-" + key + ".tar"), TestKeys.signer(key), "Hello {{name}}");
    }

    @Test
    void signedSnapshotOpensUnderAPolicyTrustingItsKey() throws Exception {
        try (Snapshot s = Snapshot.open(signed("ed25519-a"), TestKeys.trusting("ed25519-a"))) {
            assertThat(s.config().getString("model.name")).isEqualTo("gpt-4o");
            assertThat(s.prompt("greet").render(Map.of("name", "Ada"))).isEqualTo("Hello Ada");
            assertThat(SnapshotSignature.of(s))
                    .contains(new SnapshotSignature(TestKeys.signer("ed25519-a").keyId(), "Ed25519"));
        }
    }

    @Test
    void keyIdIsTheSha256OfThePublicKeyAsOpensslComputesIt() {
        // openssl pkey -pubin -in ed25519-a.pub.pem -outform DER | sha256sum
        assertThat(TestKeys.signer("ed25519-a").keyId())
                .isEqualTo("1934825139511cf2dc71b62fc9009305b31389d8b22ea29af740848117f68a6f");
        assertThat(TestKeys.trusting("ed25519-a").keyIds())
                .containsExactly("1934825139511cf2dc71b62fc9009305b31389d8b22ea29af740848117f68a6f");
    }

    @Test
    void signingKeepsContentHashAndIdAndAddsOnlyTheSignatureEntry() throws Exception {
        Path unsigned = write(dir.resolve("unsigned.tar"), null, "Hello {{name}}");
        try (Snapshot u = Snapshot.open(unsigned);
                Snapshot s = Snapshot.open(signed("ed25519-a"))) {
            assertThat(s.id()).isEqualTo(u.id());
            assertThat(s.contentHash()).isEqualTo(u.contentHash());
            List<String> names = new ArrayList<>(u.entryNames());
            names.add(1, SignatureLayout.ENTRY);
            assertThat(s.entryNames()).isEqualTo(names);
            assertThat(SnapshotSignature.of(u)).isEmpty();
        }
    }

    @Test
    void signingIsReproducible() throws Exception {
        Path one = write(dir.resolve("one.tar"), TestKeys.signer("ed25519-a"), "Hello {{name}}");
        Path two = write(dir.resolve("two.tar"), TestKeys.signer("ed25519-a"), "Hello {{name}}");
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
    }

    @Test
    void aSignedSnapshotIsAPlainTarAndPassesTheUnsignedReadersChecks() throws Exception {
        Path file = signed("ed25519-a");
        try (Snapshot s = Snapshot.open(file)) {
            s.verify(); // what a loader without a policy (or from before signing existed) checks
        }
        List<String> tarNames = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(file))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                tarNames.add(e.getName());
            }
        }
        assertThat(tarNames)
                .containsExactly(
                        SnapshotFormat.INDEX_ENTRY,
                        SnapshotFormat.METADATA_ENTRY,
                        SignatureLayout.ENTRY,
                        SnapshotFormat.CONFIG_TABLE_ENTRY,
                        "prompts/greet.prompt");
    }

    @Test
    void unsignedSnapshotIsRefusedUnderAPolicy() throws Exception {
        Path file = write(dir.resolve("unsigned.tar"), null, "Hello {{name}}");
        assertThatThrownBy(() -> Snapshot.open(file, TestKeys.trusting("ed25519-a")))
                .isInstanceOf(UnsignedSnapshotException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is not signed");
    }

    @Test
    void unsignedSnapshotStillOpensWithoutAPolicy() throws Exception {
        Path file = write(dir.resolve("unsigned.tar"), null, "Hello {{name}}");
        try (Snapshot s = Snapshot.open(file)) {
            s.verify();
            assertThat(s.prompt("greet").render(Map.of("name", "Ada"))).isEqualTo("Hello Ada");
        }
    }

    @Test
    void snapshotSignedByAnotherKeyIsRefusedNamingThatKey() throws Exception {
        Path file = signed("ed25519-b");
        String otherKey = TestKeys.signer("ed25519-b").keyId();
        assertThatThrownBy(() -> Snapshot.open(file, TestKeys.trusting("ed25519-a")))
                .isInstanceOfSatisfying(
                        UnknownSigningKeyException.class,
                        e -> assertThat(e.keyId()).contains(otherKey))
                .hasMessageContaining(file.toString())
                .hasMessageContaining(otherKey);
    }

    @Test
    void twoTrustedKeysAcceptSnapshotsOfEitherForRotation() throws Exception {
        TrustPolicy both = TestKeys.trusting("ed25519-a", "ed25519-b");
        for (String key : TestKeys.all()) {
            try (Snapshot s = Snapshot.open(signed(key), both)) {
                assertThat(SnapshotSignature.of(s).orElseThrow().keyId())
                        .isEqualTo(TestKeys.signer(key).keyId());
            }
        }
    }

    @Test
    void everyFlippedByteOfEveryEntryAndEveryHeaderFieldIsRefused() throws Exception {
        Path file = signed("ed25519-a");
        TrustPolicy trust = TestKeys.trusting("ed25519-a");
        List<Long> offsets = new ArrayList<>();
        try (Snapshot s = Snapshot.open(file)) {
            addHeaderAndData(offsets, SnapshotFormat.BLOCK, s.indexLength());
            for (SnapshotEntry e : s.entries()) { // metadata, signature and content
                addHeaderAndData(offsets, e.offset(), e.length());
            }
        }
        List<Long> accepted = new ArrayList<>();
        for (long at : offsets) {
            CorruptionInjector.flipByte(file, at);
            if (!(catchThrowable(() -> Snapshot.open(file, trust).close()) instanceof SnapshotException)) {
                accepted.add(at);
            }
            CorruptionInjector.flipByte(file, at); // and back
        }
        assertThat(accepted).as("offsets whose flipped byte was accepted").isEmpty();
        assertThat(offsets).hasSizeGreaterThan(1000);
        Snapshot.open(file, trust).close();
    }

    /**
     * Every byte of an entry's data, and one byte in three of its tar header (all of them cost too long; the
     * header checksum covers each alike). Byte 155 of a header, the checksum field's terminating space, is left
     * out: tar readers ignore it too, and nothing reads or serves it.
     */
    private static void addHeaderAndData(List<Long> offsets, long dataOffset, long length) {
        long header = dataOffset - SnapshotFormat.BLOCK;
        for (int i = 0; i < SnapshotFormat.BLOCK; i += 3) {
            if (i != 155) {
                offsets.add(header + i);
            }
        }
        for (long at = dataOffset; at < dataOffset + length; at++) {
            offsets.add(at);
        }
    }

    @Test
    void contentChangedWithEveryChecksumRecomputedIsABadSignature() throws Exception {
        Path file = signed("ed25519-a");
        byte[] bytes = Files.readAllBytes(file);
        int recordIndex;
        long offset;
        try (Snapshot s = Snapshot.open(file)) {
            recordIndex = s.index().find("prompts/greet.prompt".getBytes(StandardCharsets.UTF_8));
            offset = s.index().dataOffset(recordIndex);
        }
        // An attacker who can write the file changes the prompt's text and recomputes every hash and CRC.
        byte[] hello = "Hello".getBytes(StandardCharsets.US_ASCII);
        byte[] pwned = "Pwned".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, hello, (int) offset);
        System.arraycopy(pwned, 0, bytes, at, pwned.length);
        String oldHash;
        String oldId;
        try (Snapshot s = Snapshot.open(file)) {
            oldHash = s.contentHash();
            oldId = s.id();
        }
        rehash(bytes);
        Path step = Files.write(dir.resolve("step.tar"), bytes);
        try (Snapshot s = Snapshot.open(step)) {
            replaceAll(bytes, oldHash, s.contentHash());
            replaceAll(bytes, oldId, s.id());
        }
        rehash(bytes);
        Path tampered = Files.write(dir.resolve("tampered.tar"), bytes);
        try (Snapshot s = Snapshot.open(tampered)) {
            s.verify(); // consistent: only the signature can tell
            assertThat(s.prompt("greet").text()).startsWith("Pwned");
        }
        assertThatThrownBy(() -> Snapshot.open(tampered, TestKeys.trusting("ed25519-a")))
                .isInstanceOf(BadSignatureException.class)
                .hasMessageContaining(tampered.toString())
                .hasMessageContaining(TestKeys.signer("ed25519-a").keyId());
    }

    @Test
    void anotherKeysSignatureRelabelledWithTheTrustedKeyIdIsABadSignature() throws Exception {
        Path file = signed("ed25519-b");
        byte[] bytes = Files.readAllBytes(file);
        long offset;
        try (Snapshot s = Snapshot.open(file)) {
            offset = s.index().dataOffset(s.index().find(SignatureLayout.ENTRY.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] trustedId = SignatureLayout.keyId(TestKeys.publicKey("ed25519-a"));
        System.arraycopy(trustedId, 0, bytes, (int) offset + 16, trustedId.length);
        rehash(bytes);
        Path relabelled = Files.write(dir.resolve("relabelled.tar"), bytes);
        assertThatThrownBy(() -> Snapshot.open(relabelled, TestKeys.trusting("ed25519-a")))
                .isInstanceOf(BadSignatureException.class);
    }

    @Test
    void verifyOnFirstAccessChecksTheSignatureAtOpenAndTheDataOnUse() throws Exception {
        Path file = signed("ed25519-a");
        try (Snapshot s = Snapshot.open(file, TestKeys.trusting("ed25519-a"), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            assertThat(s.config().getDouble("model.temperature")).isEqualTo(0.2);
        }
    }

    /** Recomputes every entry SHA-256 in the index, the content hash, and the CRCs, as an attacker would. */
    private static void rehash(byte[] bytes) throws Exception {
        Path tmp = Files.createTempFile("rehash", ".tar");
        try {
            Files.write(tmp, bytes);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int base = SnapshotFormat.BLOCK;
            try (Snapshot s = Snapshot.open(tmp)) {
                ContentHash hash = new ContentHash();
                for (int i = 0; i < s.entryCount(); i++) {
                    long off = s.index().dataOffset(i);
                    int len = (int) s.index().dataLength(i);
                    byte[] sha = ContentHash.sha256()
                            .digest(java.util.Arrays.copyOfRange(bytes, (int) off, (int) off + len));
                    int record = base + b.getInt(base + 16) + i * SnapshotFormat.INDEX_RECORD_LENGTH;
                    b.put(record + 32, sha);
                    if (ContentHash.isContentEntry(s.index().nameBytes(i))) {
                        hash.add(s.index().nameBytes(i), sha);
                    }
                }
                b.put(base + 64, hash.finish());
            }
            SnapshotChecksums.fix(bytes);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void replaceAll(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i <= bytes.length - f.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, bytes, i, t.length);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
