package io.poolagent.share;

import io.poolagent.config.ShareSettings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of a pool's share, from one {@link Census}; no state, no I/O.
 * <pre>
 *   budget    = max_connections - superuser_reserved_connections - reserved_connections
 *   available = budget - headroom - sessions of everyone else (their highest recent count)
 *   share     = available * weight / sum of the weights of the instances seen, rounded down,
 *               within [DB_POOL_MIN_OPEN, DB_POOL_MAX_OPEN_CAP]
 * </pre>
 * Shrinking to the share is immediate. Growing is not: the slots above what the pool holds may still be held
 * by instances that have not counted since the last change, so a pool grows only into slots that are free
 * now (budget - headroom - every session), and only by its part of them (see {@link #allowance}); and at most
 * doubles per count, because instances that start together see each other only from their second count on
 * (a lone first instance would otherwise take the whole budget for the moment it takes the others to appear).
 */
final class FairShare {

    /** One evaluation's outcome. */
    static final class Decision {
        final int target;
        final int share;
        final int maxConnections;
        final int budget;
        final int headroom;
        final int instances;
        final int others;

        Decision(int target, int share, int maxConnections, int budget, int headroom, int instances, int others) {
            this.target = target;
            this.share = share;
            this.maxConnections = maxConnections;
            this.budget = budget;
            this.headroom = headroom;
            this.instances = instances;
            this.others = others;
        }
    }

    private final ShareSettings settings;
    private final InstanceTag self;

    FairShare(ShareSettings settings, InstanceTag self) {
        this.settings = settings;
        this.self = self;
    }

    /**
     * @param census     the server as it is now
     * @param othersPeak the highest count of everyone else's sessions lately (a connection-per-query application
     *                   may be between two queries at the moment of one count)
     * @param current    the pool's size now
     */
    Decision next(Census census, int othersPeak, int current) {
        int budget = census.budget();
        int headroom = settings.headroom(budget);
        int others = Math.max(othersPeak, census.others());
        Map<String, Census.Instance> instances = census.instances();
        int totalWeight = instances.containsKey(self.id()) ? 0 : self.weight(); // it counts, sessions or not
        int ours = 0;
        for (Census.Instance instance : instances.values()) {
            totalWeight += instance.weight;
            ours += instance.sessions;
        }
        int count = instances.size() + (instances.containsKey(self.id()) ? 0 : 1);
        int available = Math.max(0, budget - headroom - others);
        int share = shareOf(available, self.weight(), totalWeight);
        int target = share;
        if (share > current) {
            int free = budget - headroom - others - ours;
            int allowed = allowance(free, share - current, available, totalWeight, instances);
            target = current + Math.min(Math.max(1, current), allowed);
        }
        return new Decision(clamp(target), share, census.maxConnections(), budget, headroom, count, others);
    }

    private int shareOf(int available, int weight, int totalWeight) {
        return clamp((int) ((long) available * weight / totalWeight));
    }

    /**
     * This instance's part of the {@code free} slots, in proportion to how far below its share it is among the
     * instances below theirs (judged by their sessions), so that instances that count at the same moment do
     * not take the same slots twice. When that rounds to nothing, the first of them by id take one each.
     */
    private int allowance(int free, int deficit, int available, int totalWeight,
                          Map<String, Census.Instance> instances) {
        if (free <= 0) {
            return 0;
        }
        long deficits = deficit;
        List<String> behind = new ArrayList<>();
        behind.add(self.id());
        for (Map.Entry<String, Census.Instance> entry : instances.entrySet()) {
            Census.Instance other = entry.getValue();
            int behindBy = shareOf(available, other.weight, totalWeight) - other.sessions;
            if (!entry.getKey().equals(self.id()) && behindBy > 0) {
                deficits += behindBy;
                behind.add(entry.getKey());
            }
        }
        int part = (int) Math.min(deficit, (long) free * deficit / deficits);
        if (part > 0) {
            return part;
        }
        Collections.sort(behind);
        return behind.indexOf(self.id()) < free ? 1 : 0;
    }

    int clamp(int size) {
        return settings.clamp(size);
    }
}
