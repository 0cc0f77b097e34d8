package io.poolagent.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry loop with scripted attempts and millisecond delays; the real thing is tested against PostgreSQL in it/. */
class ConnectRetrierTest {

    private final ConnectRetrier retrier =
            new ConnectRetrier("test", new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(2), () -> 0.5));

    @Test
    void transientFailuresAreRetriedUntilAnAttemptSucceeds() throws SQLException {
        Deque<SQLException> script = new ArrayDeque<>();
        script.add(new SQLException("refused", "08001"));
        script.add(new SQLException("starting up", "57P03"));
        AtomicInteger calls = new AtomicInteger();

        String result = retrier.run(() -> {
            calls.incrementAndGet();
            if (!script.isEmpty()) {
                throw script.poll();
            }
            return "connected";
        });

        assertEquals("connected", result);
        assertEquals(3, calls.get());
        assertEquals(2, retrier.retries());
        assertEquals(1, retrier.recovered());
    }

    @Test
    void aPermanentFailureIsThrownAtOnceAndUnchanged() {
        SQLException wrongPassword = new SQLException("password authentication failed", "28P01");
        AtomicInteger calls = new AtomicInteger();

        SQLException thrown = assertThrows(SQLException.class, () -> retrier.run(() -> {
            calls.incrementAndGet();
            throw wrongPassword;
        }));

        assertSame(wrongPassword, thrown);
        assertEquals(1, calls.get());
        assertEquals(0, retrier.retries());
        assertEquals(1, retrier.permanent());
    }

    @Test
    void whenRetriesRunOutTheLastDriverExceptionIsThrownItself() {
        AtomicInteger calls = new AtomicInteger();

        SQLException thrown = assertThrows(SQLException.class, () -> retrier.run(() -> {
            throw new SQLException("refused " + calls.incrementAndGet(), "08001", new java.net.ConnectException());
        }));

        assertEquals(4, calls.get(), "one attempt plus three retries");
        assertEquals("refused 4", thrown.getMessage());
        assertEquals("08001", thrown.getSQLState());
        assertTrue(thrown.getCause() instanceof java.net.ConnectException);
        assertEquals(1, retrier.exhausted());
    }

    @Test
    void anInterruptedWaitStopsRetryingAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            AtomicInteger calls = new AtomicInteger();
            assertThrows(SQLException.class, () -> retrier.run(() -> {
                calls.incrementAndGet();
                throw new SQLException("refused", "08001");
            }));
            assertEquals(1, calls.get());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
