package dev.warmstart.snapshot.format;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM blocks of a key file ({@code -----BEGIN <TYPE>-----}, Base64, {@code -----END <TYPE>-----}).
 * Used for signing keys and trusted public keys; messages never quote the key material.
 */
public final class Pem {
    private Pem() {}

    /**
     * One PEM block.
     *
     * @param type the label, such as {@code PRIVATE KEY} or {@code PUBLIC KEY}
     * @param der the decoded bytes
     */
    public record Block(String type, byte[] der) {}

    /**
     * Parses every PEM block of {@code text}.
     *
     * @param origin what the text is, for messages (a file name, an environment variable's name)
     * @throws IllegalArgumentException when a block is malformed; the message names {@code origin} and never the
     *     key material
     */
    public static List<Block> parse(String text, String origin) {
        List<Block> blocks = new ArrayList<>();
        int at = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", at);
            if (begin < 0) {
                return blocks;
            }
            int typeEnd = text.indexOf("-----", begin + 11);
            if (typeEnd < 0) {
                throw new IllegalArgumentException(origin + " has a PEM BEGIN line without its closing dashes");
            }
            String type = text.substring(begin + 11, typeEnd);
            String endMarker = "-----END " + type + "-----";
            int end = text.indexOf(endMarker, typeEnd + 5);
            if (end < 0) {
                throw new IllegalArgumentException(origin + " has a PEM block '" + type + "' without its END line");
            }
            String body = text.substring(typeEnd + 5, end);
            if (body.contains(":")) {
                // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED": an old-style encrypted key.
                blocks.add(new Block("ENCRYPTED " + type, new byte[0]));
            } else {
                try {
                    blocks.add(new Block(type, Base64.getMimeDecoder().decode(body.strip())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(origin + " has a PEM block '" + type + "' that is not Base64");
                }
            }
            at = end + endMarker.length();
        }
    }
}
