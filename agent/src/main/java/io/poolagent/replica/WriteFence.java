package io.poolagent.replica;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a thread may have written on the primary, so that its reads never go to a standby that has not replayed
 * it. Nothing reads the SQL: any session of the primary that ran anything may have written. While such a session
 * is open on a thread, its reads stay on the primary; once it went back, they may go to a standby that caught up
 * with a moment after that ({@link ReplicaState#hasReplayed}), or, sooner, to one that says it has replayed the
 * primary's WAL position read as the session went back ({@link #position()}).
 */
public final class WriteFence {

    private final ThreadLocal<Mark> marks = ThreadLocal.withInitial(Mark::new);

    /** The calling thread's mark. */
    public Mark mark() {
        return marks.get();
    }

    /**
     * One thread's writes. A session registers with the mark of the thread that first used it and unregisters from
     * that same mark, wherever it is closed.
     */
    public static final class Mark {
        private final AtomicInteger open = new AtomicInteger();
        /** nanoTime after the last used primary session of this thread went back; MIN_VALUE for none. */
        private volatile long lastWrite = Long.MIN_VALUE;
        /** The primary's WAL insert position as that session went back; 0 when it could not be read. */
        private volatile long lastPosition;

        /** A primary session of this thread ran something: what it wrote is not on any standby yet. */
        public void opened() {
            open.incrementAndGet();
        }

        /**
         * That session went back (its commits, if any, are acknowledged by now); {@code position} is the primary's
         * WAL insert position read on it after them, 0 if unknown.
         */
        public void closed(long now, long position) {
            closed(now, position, now);
        }

        /**
         * As {@link #closed(long, long)}, with {@code readAt} the moment the position was asked for. A position read
         * after every earlier session of the thread went back covers their writes too (the primary's positions only
         * grow); otherwise it only adds to what is known, and an unknown one makes the whole unknown.
         */
        public void closed(long now, long position, long readAt) {
            synchronized (this) { // sessions of the thread may be closed on other threads at once
                if (position != 0 && (lastWrite == Long.MIN_VALUE || readAt > lastWrite)) {
                    lastPosition = position;
                } else {
                    lastPosition = position == 0 || lastPosition == 0 ? 0 : Math.max(lastPosition, position);
                }
                lastWrite = Math.max(lastWrite, now);
            }
            open.decrementAndGet(); // after both, so that a reader who sees 0 sees them
        }

        /**
         * The WAL position a standby must have replayed to hold what this thread wrote, when the lag watch has not
         * shown that yet; 0 when it is not known (then only the watch can tell).
         */
        public long position() {
            return lastPosition;
        }

        /** True when {@code replica} has everything this thread wrote. */
        public boolean seenBy(ReplicaState replica) {
            return open.get() == 0 && replica.hasReplayed(lastWrite);
        }

        /** When the thread's last used primary session went back (nanoTime), MIN_VALUE for never: a stamp. */
        public long lastWrite() {
            return lastWrite;
        }

        /** True when some primary session of this thread is open and used. */
        public boolean writing() {
            return open.get() > 0;
        }
    }
}
