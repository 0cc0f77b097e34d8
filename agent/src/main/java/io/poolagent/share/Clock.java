package io.poolagent.share;

import io.poolagent.runtime.AgentThreads;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Time as a {@link ShareKeeper} sees it: now, and a count to run later; apart so that a test steps it by hand. */
interface Clock {

    Clock SYSTEM = new Wall();

    long millis();

    /** Runs {@code task} once after {@code delayMillis}; cancelling the future drops it if it has not started. */
    Future<?> schedule(Runnable task, long delayMillis);

    /** The wall clock, and one daemon thread for every pool's counts: a count is short, and pools are few. */
    final class Wall implements Clock {

        /** Its thread starts with the first count, on whichever thread asks for it (see {@link AgentThreads}). */
        private final ScheduledThreadPoolExecutor counts =
                new ScheduledThreadPoolExecutor(1, task -> AgentThreads.daemon(task, "pool-agent-share"));

        private Wall() {
            counts.setRemoveOnCancelPolicy(true); // counts are put off often: no dead one waits out its period
        }

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public Future<?> schedule(Runnable task, long delayMillis) {
            return counts.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }
    }
}
