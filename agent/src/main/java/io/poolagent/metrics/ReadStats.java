package io.poolagent.metrics;

import java.util.List;

/** Where the read-only work of a pool with read replicas went: to a standby ("routed"), or why to the primary. */
public interface ReadStats {

    /** Every reason, "routed" first. */
    List<String> reasons();

    /** Read-only connections sent where {@code reason} says. */
    long reads(String reason);

    /** Reads that lost their standby before they ran anything, and ran again on another server. */
    long rerouted();
}
