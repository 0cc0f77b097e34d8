package io.poolagent.replica;

/**
 * One standby as the {@link LagWatch} last saw it. Staleness is bounded by time on the agent's clock, not by what
 * the standby says of itself: {@link #caughtUpTo} is when the watch asked the primary for a WAL position that the
 * standby has since replayed, so every commit acknowledged before that moment is visible there. A standby whose
 * replay stopped, or whose answers stopped, ages past the bound by itself.
 */
public final class ReplicaState {

    private final String hostPort;
    /** When the watch began: until it has seen the standby caught up once, everything since may be missing. */
    private final long watchedSince;
    /** {@code System.nanoTime()} before the primary's sample this standby has replayed; MIN_VALUE until one. */
    private volatile long caughtUpTo = Long.MIN_VALUE;
    /** Whether its last sample answered, as a standby of the pool's primary. */
    private volatile boolean up;
    /** After a session to it failed: no reads until the watch has heard from it after this moment. */
    private volatile long failedAt = Long.MIN_VALUE;
    private volatile long answeredAt = Long.MIN_VALUE;
    private volatile String problem = "not sampled yet";

    public ReplicaState(String hostPort, long now) {
        this.hostPort = hostPort;
        this.watchedSince = now;
    }

    public String hostPort() {
        return hostPort;
    }

    /** True when reads may go here: it answers as a standby, and nothing committed longer than the bound ago is missing. */
    public boolean usable(long now, long maxLagNanos) {
        long since = caughtUpTo;
        return up && answeredAt > failedAt && since != Long.MIN_VALUE && now - since <= maxLagNanos;
    }

    /** True when a write acknowledged at {@code writtenAt} (nanoTime, after the acknowledgement) is visible here. */
    public boolean hasReplayed(long writtenAt) {
        return caughtUpTo > writtenAt;
    }

    /**
     * Seconds of commits that may be missing here (the age of {@link #caughtUpTo}); until it was seen caught up
     * once, the time since the watch began, which grows past any bound.
     */
    public double lagSeconds(long now) {
        long since = caughtUpTo;
        return Math.max(0, now - (since == Long.MIN_VALUE ? watchedSince : since)) / 1e9;
    }

    /** Why it is not up ("" when it is). */
    public String problem() {
        return up ? "" : problem;
    }

    public boolean up() {
        return up;
    }

    void answered(long sampledAt, long replayedSince) {
        if (replayedSince > caughtUpTo) {
            caughtUpTo = replayedSince;
        }
        up = true;
        answeredAt = sampledAt;
    }

    void down(String why) {
        problem = why;
        up = false;
    }

    /** A session on it failed as a lost server does: skipped until the watch hears from it again. */
    public void failed(long now) {
        failedAt = now;
    }
}
