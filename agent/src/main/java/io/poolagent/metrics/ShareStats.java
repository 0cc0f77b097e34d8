package io.poolagent.metrics;

import java.util.List;

/** What an auto-sized pool (DB_MAX_OPEN_CONNS=auto) tells the metrics about its share of the server. */
public interface ShareStats {

    /** The pool's size now: the share it took, or what it has grown to so far. */
    int target();

    /** The share it is entitled to, which it grows towards as slots become free. */
    int share();

    /** Auto-sized pools seen on the server at the last count, this one included. */
    int instances();

    /** Client sessions of anyone else at the last count (the highest of the recent counts). */
    int others();

    /** max_connections less the reserved slots; 0 before the first count. */
    int budget();

    /** The slots no instance takes. */
    int headroom();

    long evaluations();

    /** Connections closed because the pool was above its share (at their return, or while idle). */
    long retired();

    /** Why the pool was last resized: one of {@link #reasons()}. */
    String lastReason();

    /** Every value {@link #lastReason()} can take, so that each has a series from the start. */
    List<String> reasons();
}
