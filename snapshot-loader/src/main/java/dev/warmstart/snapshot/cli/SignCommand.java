package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.loader.SnapshotMetadata;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import dev.warmstart.snapshot.writer.WrittenSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sign FILE [--key KEY.pem] [--out OUT]}: signs a snapshot built without a key. The snapshot is verified,
 * then written again with the same entries, time, producer and provenance plus the signature, so the result is
 * byte for byte what a build with the key would have written. Without {@code --key} the key comes from
 * {@code WARMSTART_SIGNING_KEY}. Without {@code --out} the file is replaced atomically.
 */
final class SignCommand {
    static final String USAGE =
            "  sign FILE [--key KEY.pem] [--out OUT]  sign a snapshot (key from --key or WARMSTART_SIGNING_KEY)";

    private final PrintStream out;

    SignCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) throws IOException {
        Path key = option(args, "--key");
        Path target = option(args, "--out");
        if (args.size() != 1) {
            throw new UsageException("usage: sign FILE [--key KEY.pem] [--out OUT]");
        }
        Path file = Path.of(args.get(0));
        SnapshotSigner signer = SnapshotSigner.fromFileOrEnvironment(key, System::getenv)
                .orElseThrow(() -> new UsageException(
                        "sign needs a key: --key KEY.pem, or the PEM text in " + SnapshotSigner.ENV_VARIABLE));
        WrittenSnapshot written;
        try (Snapshot snapshot = Snapshot.open(file)) {
            snapshot.verify();
            SnapshotMetadata m = snapshot.metadata();
            try (SnapshotWriter writer =
                    SnapshotWriter.create(target != null ? target : file).signWith(signer)) {
                for (SnapshotEntry e : snapshot.entries()) {
                    if (!e.name().startsWith(SnapshotFormat.RESERVED_PREFIX)) {
                        writer.addEntry(e.name(), e.kind(), new BufferInputStream(snapshot.entry(e.name())));
                    }
                }
                written = writer.finish(m.created(), m.producer(), m.producerVersion(), m.provenance());
            }
        }
        out.println("signed " + written.id() + " with key " + signer.keyId() + ": " + written.file());
        return SnapshotCli.OK;
    }

    private static Path option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw new UsageException(name + " needs a file");
        }
        Path value = Path.of(args.remove(i + 1));
        args.remove(i);
        return value;
    }

    /** Streams a mapped entry into the writer without copying it onto the heap. */
    private static final class BufferInputStream extends InputStream {
        private final ByteBuffer buffer;

        BufferInputStream(ByteBuffer buffer) {
            this.buffer = buffer.duplicate();
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }
    }
}
