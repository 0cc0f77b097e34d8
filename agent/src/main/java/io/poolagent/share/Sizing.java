package io.poolagent.share;

import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;

import java.util.HashSet;
import java.util.Set;

/**
 * The sizing decision: from one {@link Census} and what the counts before it saw, the size an auto-sized pool
 * takes and why. Immutable, without I/O or a clock, so each count makes a new one from the last; when to count
 * is the {@link ShareKeeper}'s business.
 */
final class Sizing {

    /** How many recent counts of everyone else's sessions the share keeps room for (the highest of them). */
    static final int PEAK_WINDOW = 3;

    private final FairShare fairShare;
    private final InstanceTag self;
    /** The pool's size. */
    final int target;
    /** Why it last changed. */
    final ResizeReason reason;
    /** The last count's arithmetic; null before the first count. */
    final FairShare.Decision decision;
    /** Everyone else's sessions at the last {@link #PEAK_WINDOW} counts, a ring filled by {@link #counts}. */
    private final int[] othersSeen;
    private final int counts;
    /** The instances the last count saw, this one among them; empty before the first count. */
    private final Set<String> members;

    private Sizing(FairShare fairShare, InstanceTag self, int target, ResizeReason reason,
                   FairShare.Decision decision, int[] othersSeen, int counts, Set<String> members) {
        this.fairShare = fairShare;
        this.self = self;
        this.target = target;
        this.reason = reason;
        this.decision = decision;
        this.othersSeen = othersSeen;
        this.counts = counts;
        this.members = members;
    }

    /** Before the first count: the floor. */
    static Sizing initial(ShareSettings settings, InstanceTag self) {
        return new Sizing(new FairShare(settings, self), self, settings.minOpen(), ResizeReason.START, null,
                new int[PEAK_WINDOW], 0, Set.of());
    }

    /**
     * What one count makes of the pool.
     *
     * @param open  the sessions the pool holds
     * @param first the pool's first count
     * @param full  a connect was refused with 53300 since the last count
     */
    Sizing next(Census census, int open, boolean first, boolean full) {
        int[] seen = othersSeen.clone();
        seen[counts % PEAK_WINDOW] = census.others();
        FairShare.Decision now = fairShare.next(census, peak(seen, counts + 1), target);
        int size = now.target;
        if (full) {
            size = fairShare.clamp(Math.min(size, open)); // the server is fuller than the counts say: hold
        }
        ResizeReason why = first || size != target ? why(first, full, now, size) : reason;
        Set<String> seenMembers = new HashSet<>(census.instances().keySet());
        seenMembers.add(self.id());
        return new Sizing(fairShare, self, size, why, now, seen, counts + 1, seenMembers);
    }

    /** An unused pool holds no more than the sessions it has, never below its floor. */
    Sizing holding(int open) {
        int hold = fairShare.clamp(open);
        return hold < target ? resized(hold, ResizeReason.IDLE) : this;
    }

    /** A size not decided by a count: the fallback when the server cannot be counted. */
    Sizing resized(int size) {
        return resized(size, reason);
    }

    private Sizing resized(int size, ResizeReason why) {
        return new Sizing(fairShare, self, size, why, decision, othersSeen, counts, members);
    }

    /** The set of instances differs from the one {@code before} saw: each must see the others before it settles. */
    boolean instancesChanged(Sizing before) {
        return !members.equals(before.members);
    }

    /**
     * Growing towards a share that did not change is catching up (the free slots came); otherwise the share
     * itself moved, because of the instances or because of everyone else.
     */
    private ResizeReason why(boolean first, boolean full, FairShare.Decision now, int size) {
        if (first) {
            return ResizeReason.START;
        }
        if (full) {
            return ResizeReason.SERVER_FULL;
        }
        FairShare.Decision before = decision;
        boolean growing = size > target && (size < now.share || before != null && before.share == now.share);
        if (growing) {
            return ResizeReason.GROWING;
        }
        return before != null && before.instances != now.instances ? ResizeReason.INSTANCES : ResizeReason.OTHERS;
    }

    private static int peak(int[] seen, int counts) {
        int peak = 0;
        for (int i = 0; i < Math.min(counts, PEAK_WINDOW); i++) {
            peak = Math.max(peak, seen[i]);
        }
        return peak;
    }

    /** The resize from {@code from} as the log tells it, after the pool's name. */
    String describe(int from) {
        FairShare.Decision d = decision;
        return Settings.MAX_OPEN + "=auto: " + (reason == ResizeReason.START ? "starts at " + target
                : from + " -> " + target) + " (" + reason.label() + "); share " + d.share + " of " + d.budget
                + " (max_connections " + d.maxConnections + " - " + (d.maxConnections - d.budget) + " reserved)"
                + " less headroom " + d.headroom + " and " + d.others + " sessions of other applications, "
                + d.instances + " instance(s), weight " + self.weight();
    }
}
