package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one comparison of the index's binary search and the config table's: stored bytes against a key, as unsigned
 * bytes, a prefix first, read eight bytes at a time where it can.
 */
class NameComparisonTest {
    @Test
    void ordersAsUnsignedBytesWithAPrefixFirstWhereverTheBytesLieInTheBuffer() {
        Random random = new Random(13);
        // Few distinct byte values, so that long common prefixes and equal names are frequent.
        byte[] alphabet = {0, 1, 'a', 'b', 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff};
        for (int round = 0; round < 20_000; round++) {
            byte[] stored = randomBytes(random, alphabet);
            byte[] key = random.nextInt(4) == 0 ? stored.clone() : randomBytes(random, alphabet);
            if (random.nextBoolean() && key.length > 0) {
                key = Arrays.copyOf(stored, Math.min(stored.length, random.nextInt(key.length + 1)));
            }
            int offset = random.nextInt(9);
            ByteBuffer buffer = ByteBuffer.allocateDirect(offset + stored.length + random.nextInt(9));
            buffer.put(offset, stored);

            int actual = SnapshotIndex.compareBytes(buffer.asReadOnlyBuffer(), offset, stored.length, key);

            assertThat(Integer.signum(actual))
                    .as("%s against %s", Arrays.toString(stored), Arrays.toString(key))
                    .isEqualTo(Integer.signum(Arrays.compareUnsigned(stored, key)));
        }
    }

    private static byte[] randomBytes(Random random, byte[] alphabet) {
        byte[] bytes = new byte[random.nextInt(26)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return bytes;
    }
}
