package io.poolagent.replica;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Which standby a read may go to, or why none: pure, so that every reason is tested without a server. Of the
 * standbys within the lag bound that have what this thread wrote, the least loaded gets it. A standby the lag
 * watch has not yet seen past the thread's last write is a candidate only when that write's WAL position is known:
 * the caller then asks the standby itself ({@link #mustConfirm}) before any read runs there.
 */
public final class ReplicaChoice {

    /** Why a read went where it went: the {@code reason} label of the routing counter. */
    public enum Reason {
        ROUTED("routed"),
        /** The connection had run something on the primary before it turned read-only. */
        SESSION_USED("session_used"),
        /** No standby answers as one of this primary's. */
        NO_REPLICA("no_replica"),
        /** Every standby that answers is further behind than DB_READ_REPLICA_MAX_LAG. */
        LAGGING("lagging"),
        /** Standbys within the bound have not replayed what this thread wrote. */
        OWN_WRITE("own_write"),
        /** Every standby that may take it has no free connection now. */
        REPLICAS_BUSY("replicas_busy");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    private ReplicaChoice() {
    }

    /**
     * The index in {@code replicas} of the standby this read goes to, or -1 with {@code why[0]} saying why none.
     * {@code tried} holds, for each standby already tried for this read, why it did not take it (its pool full, or
     * it had not replayed the thread's write); {@code load} is a standby's connections in use. Ties go round: the search starts at {@code turn}, so that a light load is spread too.
     */
    public static int choose(List<ReplicaState> replicas, Reason[] tried, long now, long maxLagNanos,
                             WriteFence.Mark mark, ToIntFunction<ReplicaState> load, int turn, Reason[] why) {
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        Reason reason = Reason.NO_REPLICA;
        int count = replicas.size();
        for (int k = 0; k < count; k++) {
            int i = Math.floorMod(turn + k, count);
            ReplicaState replica = replicas.get(i);
            Reason excluded = tried[i] != null ? tried[i]
                    : !replica.usable(now, maxLagNanos) ? (replica.up() ? Reason.LAGGING : Reason.NO_REPLICA)
                    : !mark.seenBy(replica) && (mark.writing() || mark.position() == 0) ? Reason.OWN_WRITE : null;
            if (excluded != null) {
                reason = worse(reason, excluded);
                continue;
            }
            int inUse = load.applyAsInt(replica);
            if (inUse < bestLoad) {
                best = i;
                bestLoad = inUse;
            }
        }
        why[0] = best >= 0 ? Reason.ROUTED : reason;
        return best;
    }

    /** True when the standby must show it replayed {@link WriteFence.Mark#position()} before the read goes there. */
    public static boolean mustConfirm(ReplicaState replica, WriteFence.Mark mark) {
        return !mark.seenBy(replica);
    }

    /** The reason that tells an operator most: a busy standby over an own write over a lagging one over none. */
    private static Reason worse(Reason current, Reason other) {
        return other.ordinal() > current.ordinal() ? other : current;
    }
}
