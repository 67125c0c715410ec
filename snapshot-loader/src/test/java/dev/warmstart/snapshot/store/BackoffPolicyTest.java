package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {
    /** Always draws the largest value allowed, so the ceiling of each delay shows. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    private static final RandomGenerator LOWEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    };

    private final Duration second = Duration.ofSeconds(1);
    private final Duration minute = Duration.ofMinutes(1);

    @Test
    void failuresDoubleTheCeilingUpToTheCap() {
        BackoffPolicy p = new BackoffPolicy(second, minute, HIGHEST);
        assertThat(p.failed(503, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.failed(0, null)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.failed(500, null)).isEqualTo(Duration.ofSeconds(8));
        for (int i = 0; i < 40; i++) {
            p.failed(500, null);
        }
        assertThat(p.failed(500, null)).isEqualTo(minute);
    }

    @Test
    void jitterIsFullDownToAlmostNothing() {
        BackoffPolicy p = new BackoffPolicy(second, minute, LOWEST);
        p.failed(503, null);
        assertThat(p.failed(503, null)).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void retryAfterIsHonouredUpToTheCap() {
        BackoffPolicy p = new BackoffPolicy(second, minute, LOWEST);
        assertThat(p.failed(429, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.failed(503, Duration.ofHours(2))).isEqualTo(minute);
    }

    @Test
    void refusalsAndAMissingStoreGoStraightToTheLongestDelay() {
        for (int status : new int[] {401, 403, 404}) {
            assertThat(new BackoffPolicy(second, minute, LOWEST).failed(status, null))
                    .as("HTTP %d", status)
                    .isEqualTo(minute);
        }
    }

    @Test
    void successResetsTheBackoff() {
        BackoffPolicy p = new BackoffPolicy(second, minute, HIGHEST);
        p.failed(503, null);
        p.failed(503, null);
        p.succeeded();
        assertThat(p.failures()).isZero();
        assertThat(p.failed(503, null)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void pollsAreJitteredTwentyPercentEitherSideSoAFleetDoesNotPollInStep() {
        assertThat(new BackoffPolicy(Duration.ofSeconds(10), minute, LOWEST).nextPoll())
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(new BackoffPolicy(Duration.ofSeconds(10), minute, HIGHEST).nextPoll())
                .isEqualTo(Duration.ofSeconds(12));
    }
}
