package io.poolagent.share;

import io.poolagent.config.ShareSettings;
import org.junit.jupiter.api.Test;

import static io.poolagent.share.ShareFixtures.server;
import static io.poolagent.share.ShareFixtures.settings;
import static io.poolagent.share.ShareFixtures.tag;
import static io.poolagent.share.ShareFixtures.tagged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sizing decision, count after count, as one instance of weight 1 on a server of budget 100, headroom 12. */
class SizingTest {

    private static final ShareSettings DEFAULTS = settings();
    private static final String SELF = tagged("aaaaaa", 1);

    private static Sizing initial() {
        return Sizing.initial(DEFAULTS, tag("aaaaaa", 1));
    }

    /** Counts of a server where the pool holds as many sessions as its size, until the size stops changing. */
    private static Sizing settled(Sizing sizing, Object... othersSessions) {
        for (int count = 0; count < 20; count++) {
            Sizing next = count(sizing, othersSessions);
            if (next.target == sizing.target) {
                return next;
            }
            sizing = next;
        }
        throw new AssertionError("still changing at " + sizing.target);
    }

    /** One ordinary count, the pool holding as many sessions as its size, beside {@code othersSessions}. */
    private static Sizing count(Sizing sizing, Object... othersSessions) {
        Object[] sessions = new Object[othersSessions.length + 2];
        sessions[0] = SELF;
        sessions[1] = sizing.target;
        System.arraycopy(othersSessions, 0, sessions, 2, othersSessions.length);
        return sizing.next(server(sessions), sizing.target, false, false);
    }

    @Test
    void theFirstCountIsTheStartAndSeesTheInstancesAnew() {
        Sizing before = initial();
        assertEquals(1, before.target, "DB_POOL_MIN_OPEN");
        assertNull(before.decision, "no count yet");

        Sizing first = before.next(server(SELF, 1, "psql", 1), 1, true, false);

        assertEquals(2, first.target, "87 slots are free, but growth at most doubles");
        assertEquals(ResizeReason.START, first.reason);
        assertEquals(87, first.decision.share);
        assertEquals(100, first.decision.budget);
        assertEquals(12, first.decision.headroom);
        assertEquals(1, first.decision.others);
        assertEquals(1, first.decision.instances);
        assertTrue(first.instancesChanged(before));
        Sizing crowded = before.next(server(SELF, 1, "legacy", 87), 1, true, false);
        assertEquals(1, crowded.target);
        assertSame(ResizeReason.START, crowded.reason, "even when the size stays");
    }

    @Test
    void growingTowardsAShareThatStaysIsGrowing() {
        Sizing sizing = initial().next(server(SELF, 1), 1, true, false);
        for (int expected : new int[] {4, 8, 16, 32, 64, 88}) {
            Sizing next = count(sizing);
            assertEquals(expected, next.target);
            assertEquals(ResizeReason.GROWING, next.reason, "to " + expected);
            assertFalse(next.instancesChanged(sizing));
            sizing = next;
        }
        assertEquals(88, sizing.decision.share);
    }

    @Test
    void anotherInstanceHalvesTheShareAtOnce() {
        Sizing alone = settled(initial());
        assertEquals(88, alone.target);

        Sizing two = count(alone, tagged("bbbbbb", 1), 1);

        assertEquals(44, two.target);
        assertEquals(ResizeReason.INSTANCES, two.reason);
        assertEquals(2, two.decision.instances);
        assertTrue(two.instancesChanged(alone));
        assertFalse(count(two, tagged("bbbbbb", 1), 30).instancesChanged(two), "the same instances, more sessions");
    }

    @Test
    void otherApplicationsTakingSlotsShrinkTheShareUntilThreeCountsHaveNotSeenThem() {
        Sizing sizing = settled(initial());
        sizing = count(sizing, "legacy", 20);
        assertEquals(68, sizing.target);
        assertEquals(ResizeReason.OTHERS, sizing.reason);

        for (int quiet = 1; quiet < Sizing.PEAK_WINDOW; quiet++) {
            sizing = count(sizing, "legacy", 0);
            assertEquals(68, sizing.target, "the peak of " + Sizing.PEAK_WINDOW + " counts holds room for them");
            assertEquals(20, sizing.decision.others);
            assertEquals(ResizeReason.OTHERS, sizing.reason, "an unchanged size keeps its reason");
        }
        sizing = count(sizing, "legacy", 0);
        assertEquals(88, sizing.target, "the 20 slots they gave up are free: taken in one count");
        assertEquals(ResizeReason.OTHERS, sizing.reason, "the share itself moved");
    }

    @Test
    void aFullServerHoldsThePoolToTheSessionsItHas() {
        Sizing sizing = settled(initial());

        Sizing full = sizing.next(server(SELF, 88), 30, false, true);

        assertEquals(30, full.target, "the counts say 88, the refused connect says the server is fuller");
        assertEquals(ResizeReason.SERVER_FULL, full.reason);
        assertEquals(88, full.decision.share);
        assertEquals(1, initial().next(server(SELF, 0), 0, false, true).target, "never below the floor");
    }

    @Test
    void anUnusedPoolHoldsItsSessionsAndNoLessThanItsFloor() {
        Sizing sizing = settled(initial());

        Sizing held = sizing.holding(5);
        assertEquals(5, held.target);
        assertEquals(ResizeReason.IDLE, held.reason);
        assertEquals(88, held.decision.share, "what the last count said stays");
        assertFalse(held.instancesChanged(sizing));
        assertEquals(1, sizing.holding(0).target);
        assertSame(sizing, sizing.holding(88), "holding as many as its size changes nothing");
        assertSame(held, held.holding(9), "nor does holding more: growing takes a count");
    }

    @Test
    void aSizeNotDecidedByACountKeepsTheReasonAndTheLastCount() {
        Sizing fallback = initial().resized(10);

        assertEquals(10, fallback.target);
        assertEquals(ResizeReason.START, fallback.reason);
        assertNull(fallback.decision, "still no count");
        assertFalse(fallback.instancesChanged(initial()));
    }
}
