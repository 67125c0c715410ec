package dev.warmstart.snapshot.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * POSIX ustar header blocks and pax extended headers, as the snapshot writer emits them and the verifier
 * re-reads them. Only what the snapshot needs: regular files, fixed owner/mode/time, a pax {@code path}
 * record when a name is not plain ASCII of at most 100 bytes.
 *
 * <pre>
 * ustar header block (512 bytes; numbers are octal ASCII, NUL-terminated):
 *   0 100 name          124 12 size          257 6 magic "ustar\0"
 * 100   8 mode 0000644  136 12 mtime         263 2 version "00"
 * 108   8 uid 0         148  8 checksum      265 32 uname, 297 32 gname (empty)
 * 116   8 gid 0         156  1 typeflag      329 8 devmajor, 337 8 devminor, 345 155 prefix (empty)
 * </pre>
 */
public final class TarHeaders {
    private TarHeaders() {}

    /** Typeflag of a regular file. */
    public static final byte TYPE_FILE = '0';
    /** Typeflag of a pax extended header that applies to the next entry. */
    public static final byte TYPE_PAX = 'x';
    /** Name written in the header of every pax extended header block; deterministic, unlike GNU tar's. */
    public static final String PAX_HEADER_NAME = "PaxHeaders/entry";
    /** Longest name a ustar name field holds without a pax record. */
    public static final int MAX_USTAR_NAME = 100;

    private static final int MODE = 0644;
    private static final long MAX_OCTAL_11 = 077777777777L;

    /** @return whether {@code name} needs a pax {@code path} record (non-ASCII, or longer than 100 bytes) */
    public static boolean needsPax(byte[] utf8Name) {
        if (utf8Name.length > MAX_USTAR_NAME) {
            return true;
        }
        for (byte b : utf8Name) {
            if (b < 0x20 || b > 0x7e) {
                return true;
            }
        }
        return false;
    }

    /** @return the pax extended header data holding one {@code path} record for {@code utf8Name} */
    public static byte[] paxPathRecord(byte[] utf8Name) {
        byte[] key = "path=".getBytes(StandardCharsets.US_ASCII);
        int body = 1 + key.length + utf8Name.length + 1; // ' ' + "path=" + value + '\n'
        // The record's length counts its own decimal digits; adding a digit may add another.
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length = body + Integer.toString(length).length();
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(Integer.toString(length).getBytes(StandardCharsets.US_ASCII))
                .put((byte) ' ')
                .put(key)
                .put(utf8Name)
                .put((byte) '\n');
        return out.array();
    }

    /**
     * Builds one header block.
     *
     * @param utf8Name the entry's name; when it needs pax, an ASCII stand-in is written instead
     * @param size data length in bytes (at most 8 GiB - 1)
     * @param mtimeSeconds modification time, seconds since the epoch
     * @param typeflag {@link #TYPE_FILE} or {@link #TYPE_PAX}
     * @return a 512-byte block
     */
    public static byte[] header(byte[] utf8Name, long size, long mtimeSeconds, byte typeflag) {
        if (size < 0 || size > MAX_OCTAL_11) {
            throw new IllegalArgumentException("entry of " + size + " bytes does not fit a ustar size field");
        }
        byte[] block = new byte[SnapshotFormat.BLOCK];
        byte[] name = needsPax(utf8Name) ? asciiStandIn(utf8Name) : utf8Name;
        System.arraycopy(name, 0, block, 0, name.length);
        octal(block, 100, 8, MODE);
        octal(block, 108, 8, 0);
        octal(block, 116, 8, 0);
        octal(block, 124, 12, size);
        octal(block, 136, 12, Math.max(0, Math.min(mtimeSeconds, MAX_OCTAL_11)));
        block[156] = typeflag;
        ascii(block, 257, "ustar\0");
        ascii(block, 263, "00");
        octal(block, 329, 8, 0);
        octal(block, 337, 8, 0);
        writeChecksum(block);
        return block;
    }

    /** @return the checksum that a header block at {@code pos} should carry (checksum field counted as spaces) */
    public static long computeChecksum(ByteBuffer buf, int pos) {
        // One bulk copy, then a loop over the array: 512 single-byte reads of a direct buffer cost about 0.7 ms in
        // a cold JVM's interpreter, on every snapshot open.
        byte[] block = new byte[SnapshotFormat.BLOCK];
        buf.get(pos, block);
        // Two loops around the checksum field (counted as eight spaces), no test per byte, an int sum (at most
        // 512 * 255): half the bytecodes per byte.
        int sum = 8 * ' ';
        for (int i = 0; i < 148; i++) {
            sum += block[i] & 0xff;
        }
        for (int i = 156; i < block.length; i++) {
            sum += block[i] & 0xff;
        }
        return sum;
    }

    /**
     * Reads an octal numeric field (NUL- or space-terminated).
     *
     * @return the value, or -1 when the field holds anything but octal digits
     */
    public static long parseOctal(ByteBuffer buf, int pos, int length) {
        long value = 0;
        int i = 0;
        while (i < length && buf.get(pos + i) == ' ') {
            i++;
        }
        boolean any = false;
        for (; i < length; i++) {
            byte b = buf.get(pos + i);
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            value = (value << 3) + (b - '0');
            any = true;
        }
        return any ? value : -1;
    }

    /** @return the NUL-terminated name field of the header block at {@code pos}, as raw bytes */
    public static byte[] nameField(ByteBuffer buf, int pos) {
        int len = 0;
        while (len < MAX_USTAR_NAME && buf.get(pos + len) != 0) {
            len++;
        }
        byte[] name = new byte[len];
        buf.get(pos, name);
        return name;
    }

    /**
     * Finds the value of the {@code path} record in pax extended header data.
     *
     * @return the path's UTF-8 bytes, or null when the data has no well-formed path record
     */
    public static byte[] paxPath(ByteBuffer buf, int pos, int length) {
        int i = 0;
        while (i < length) {
            int recLen = 0;
            int j = i;
            while (j < length && buf.get(pos + j) >= '0' && buf.get(pos + j) <= '9') {
                recLen = recLen * 10 + (buf.get(pos + j) - '0');
                j++;
            }
            if (j >= length || buf.get(pos + j) != ' ' || recLen <= 0 || i + recLen > length) {
                return null;
            }
            int keyStart = j + 1;
            int eq = keyStart;
            while (eq < i + recLen && buf.get(pos + eq) != '=') {
                eq++;
            }
            if (eq >= i + recLen) {
                return null;
            }
            byte[] key = new byte[eq - keyStart];
            buf.get(pos + keyStart, key);
            if ("path".equals(new String(key, StandardCharsets.US_ASCII))) {
                byte[] value = new byte[i + recLen - 1 - (eq + 1)];
                buf.get(pos + eq + 1, value);
                return value;
            }
            i += recLen;
        }
        return null;
    }

    /** @return {@code n} rounded up to a multiple of the tar block size */
    public static long padded(long n) {
        return (n + SnapshotFormat.BLOCK - 1) / SnapshotFormat.BLOCK * SnapshotFormat.BLOCK;
    }

    private static byte[] asciiStandIn(byte[] utf8Name) {
        // Readers that know pax take the path record; this only shows in ustar-only tools.
        int n = Math.min(utf8Name.length, MAX_USTAR_NAME);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            byte b = utf8Name[i];
            out[i] = (b < 0x20 || b > 0x7e) ? (byte) '_' : b;
        }
        return out;
    }

    private static void writeChecksum(byte[] block) {
        long sum = computeChecksum(ByteBuffer.wrap(block), 0);
        // Six octal digits, zero-padded (a header's sum is at most 512 * 255, six digits): not String.format, whose
        // parser cost a snapshot of 10,000 entries more than the rest of its headers.
        String digits = Long.toOctalString(sum);
        ascii(block, 148, "0".repeat(6 - digits.length()) + digits);
        block[154] = 0;
        block[155] = ' ';
    }

    private static void octal(byte[] block, int pos, int fieldLength, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(fieldLength - 1 - digits.length()) + digits;
        ascii(block, pos, padded);
        block[pos + fieldLength - 1] = 0;
    }

    private static void ascii(byte[] block, int pos, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, block, pos, bytes.length);
    }
}
