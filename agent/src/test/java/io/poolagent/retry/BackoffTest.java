package io.poolagent.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static Backoff goSchedule(double random) {
        return new Backoff(5, Duration.ofSeconds(1), Duration.ofSeconds(16), () -> random);
    }

    @Test
    void nominalScheduleIsTheGoServicesOneTwoFourEightSixteen() {
        Backoff backoff = goSchedule(0);
        assertEquals(6, backoff.attempts());
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertEquals(Duration.ofSeconds(1L << (attempt - 1)), backoff.nominalDelayAfter(attempt));
        }
    }

    @Test
    void delaysStopGrowingAtTheCap() {
        Backoff backoff = new Backoff(40, Duration.ofMillis(300), Duration.ofSeconds(2), () -> 0.999);
        assertEquals(Duration.ofMillis(1200), backoff.nominalDelayAfter(3));
        assertEquals(Duration.ofSeconds(2), backoff.nominalDelayAfter(4));
        assertEquals(Duration.ofSeconds(2), backoff.nominalDelayAfter(40), "no overflow after many doublings");
    }

    @Test
    void jitterStaysWithinTheUpperHalfOfEachStep() {
        Random random = new Random(42);
        Backoff backoff = new Backoff(5, Duration.ofSeconds(1), Duration.ofSeconds(16), random::nextDouble);
        for (int i = 0; i < 1000; i++) {
            int attempt = 1 + i % 5;
            Duration nominal = backoff.nominalDelayAfter(attempt);
            Duration delay = backoff.delayAfter(attempt);
            assertTrue(delay.compareTo(nominal.dividedBy(2)) >= 0, delay + " below half of " + nominal);
            assertTrue(delay.compareTo(nominal) <= 0, delay + " above " + nominal);
        }
    }

    @Test
    void jitterBoundsAreReachedAtBothEnds() {
        assertEquals(Duration.ofMillis(2000), goSchedule(0).delayAfter(3));
        assertTrue(goSchedule(0.9999999).delayAfter(3).compareTo(Duration.ofMillis(3999)) > 0);
    }

    @Test
    void twoPodsRestartingTogetherDoNotWaitInLockstep() {
        Backoff a = new Backoff(5, Duration.ofSeconds(1), Duration.ofSeconds(16), new Random(1)::nextDouble);
        Backoff b = new Backoff(5, Duration.ofSeconds(1), Duration.ofSeconds(16), new Random(2)::nextDouble);
        int same = 0;
        for (int attempt = 1; attempt <= 5; attempt++) {
            same += a.delayAfter(attempt).equals(b.delayAfter(attempt)) ? 1 : 0;
        }
        assertEquals(0, same);
    }

    @Test
    void rejectsACapBelowTheFirstDelay() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(3, Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0));
    }
}
