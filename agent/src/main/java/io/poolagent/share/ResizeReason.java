package io.poolagent.share;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Why an auto-sized pool last changed size: a metric label, so a fixed set. */
enum ResizeReason {
    /** The pool's first count of the server. */
    START,
    /** Another instance appeared or went. */
    INSTANCES,
    /** Other applications hold more or fewer sessions, or the server's budget changed. */
    OTHERS,
    /** Taking the free slots towards its share, which other instances have not all given up yet. */
    GROWING,
    /** A connect was refused with 53300: the pool holds what it has. */
    SERVER_FULL,
    /** The pool had no sessions left: back to its floor until it is used again. */
    IDLE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every label, so that each has a series from the start. */
    static List<String> labels() {
        List<String> labels = new ArrayList<>();
        for (ResizeReason each : values()) {
            labels.add(each.label());
        }
        return labels;
    }

    /** Logged at info: a pool's start, the fleet changing and a full server are what an operator looks for. */
    boolean announced() {
        return this == START || this == INSTANCES || this == SERVER_FULL;
    }
}
