package io.poolagent.metrics;

/** One read replica's standby, as its pool's series show it. */
public interface ReplicaStats {

    /** Seconds of the primary's commits that may be missing on it (since watched, until it was seen caught up). */
    double lagSeconds();

    /** True while reads may go to it: it answers as a standby of the primary, within DB_READ_REPLICA_MAX_LAG. */
    boolean usable();

    /** Why it does not answer as a standby ("" while it does). */
    String problem();
}
