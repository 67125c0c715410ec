package dev.warmstart.snapshot.plugin.input;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads input files as strict UTF-8, naming the line and column of the first byte that is not. */
final class Utf8Files {
    private Utf8Files() {}

    /**
     * A file's text and the bytes it was decoded from, which are its exact UTF-8 encoding from {@code start} on
     * (after a BOM): whoever needs the text as UTF-8 takes them instead of encoding it again.
     */
    record Text(String text, byte[] utf8, int start) {}

    /**
     * Reads a file's bytes as strict UTF-8 (a BOM is dropped).
     *
     * @param maxCodePoints the largest input accepted; a file of more than four bytes per code point is refused
     *     unread
     * @return the text, or null after reporting the first bad byte's line and column
     */
    static String read(Path file, int maxCodePoints, Problems problems) {
        Text text = readText(file, maxCodePoints, problems);
        return text == null ? null : text.text();
    }

    /**
     * Reads a file's bytes as strict UTF-8 (a BOM is dropped), keeping the bytes.
     *
     * @return the text and its bytes, or null after reporting the first bad byte's line and column
     */
    static Text readText(Path file, int maxCodePoints, Problems problems) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > 4L * maxCodePoints) {
                problems.error(
                        file,
                        0,
                        0,
                        "file is " + size + " bytes, larger than the " + maxCodePoints
                                + "-code-point limit; split it or raise <maxInputCodePoints>");
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            problems.error(file, 0, 0, "cannot read the file: " + e.getMessage());
            return null;
        }
        int start =
                bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
                        ? 3
                        : 0;
        // Fast path: the JDK's String decoder (vectorised for ASCII). It replaces malformed input with U+FFFD,
        // so only a text holding U+FFFD is decoded again strictly, to tell a real U+FFFD from a bad byte.
        String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return new Text(text, bytes, start);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int bad = in.position();
            int line = 1;
            int lineStart = start;
            for (int i = start; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
            problems.error(
                    file,
                    line,
                    column,
                    String.format("byte 0x%02x is not valid UTF-8; save the file as UTF-8", bytes[bad] & 0xff));
            return null;
        }
        decoder.flush(out);
        out.flip();
        // Strictly valid UTF-8: the bytes are the text's encoding, a real U+FFFD included.
        return new Text(out.toString(), bytes, start);
    }
}
