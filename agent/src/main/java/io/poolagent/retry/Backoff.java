package io.poolagent.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The delays between connect attempts: the Go services' schedule (1s, 2s, 4s, 8s, 16s), doubling up to a cap,
 * with "equal jitter": each delay is drawn from the upper half of its step, [d/2, d]. Pods that restart
 * together then spread out instead of knocking in lockstep, while every delay stays at least half the
 * nominal one (the scheme and its name are from Marc Brooker, "Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015).
 */
public final class Backoff {

    private final int retries;
    private final long initialNanos;
    private final long capNanos;
    private final DoubleSupplier random;

    /** {@code random} yields values in [0, 1); tests pass fixed ones. */
    public Backoff(int retries, Duration initial, Duration cap, DoubleSupplier random) {
        if (retries < 0 || initial.isNegative() || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retries " + retries + ", initial " + initial + ", cap " + cap);
        }
        this.retries = retries;
        this.initialNanos = initial.toNanos();
        this.capNanos = cap.toNanos();
        this.random = random;
    }

    /** Attempts in one sequence: the first one plus the retries. */
    public int attempts() {
        return retries + 1;
    }

    /** The nominal (jitter-free) delay after failed attempt {@code attempt} (1-based): initial * 2^(attempt-1), capped. */
    public Duration nominalDelayAfter(int attempt) {
        long delay = initialNanos;
        for (int i = 1; i < attempt && delay < capNanos; i++) {
            delay = delay > capNanos / 2 ? capNanos : delay * 2;
        }
        return Duration.ofNanos(Math.min(delay, capNanos));
    }

    /** The delay to sleep after failed attempt {@code attempt}: uniformly within [nominal/2, nominal]. */
    public Duration delayAfter(int attempt) {
        long nominal = nominalDelayAfter(attempt).toNanos();
        long half = nominal / 2;
        return Duration.ofNanos(nominal - half + (long) (random.getAsDouble() * half));
    }
}
