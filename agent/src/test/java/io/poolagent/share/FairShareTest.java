package io.poolagent.share;

import io.poolagent.config.ShareSettings;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static io.poolagent.share.ShareFixtures.sessions;
import static io.poolagent.share.ShareFixtures.settings;
import static io.poolagent.share.ShareFixtures.tag;
import static io.poolagent.share.ShareFixtures.tagged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FairShareTest {

    private static final ShareSettings DEFAULTS = settings();
    private static final ShareSettings NO_HEADROOM = settings("DB_POOL_HEADROOM", "0");

    private static FairShare.Decision next(ShareSettings settings, InstanceTag self, Census census, int current) {
        return new FairShare(settings, self).next(census, 0, current);
    }

    @Test
    void threeEqualInstancesSplitTheBudgetLessHeadroomAndOthersEvenly() {
        // budget 30 - 3 = 27, headroom max(12, ceil(2.7) = 3) = 12 (within 27 / 2), three psql sessions:
        // 27 - 12 - 3 = 12 left, 4 each
        Census census = Census.of(30, 3, sessions(tagged("aaaaaa", 1), 4, tagged("bbbbbb", 1), 4,
                tagged("cccccc", 1), 4, "psql", 3), 0);

        for (String id : new String[] {"aaaaaa", "bbbbbb", "cccccc"}) {
            FairShare.Decision decision = next(DEFAULTS, tag(id, 1), census, 4);
            assertEquals(4, decision.share, id);
            assertEquals(4, decision.target, id);
            assertEquals(30, decision.maxConnections);
            assertEquals(27, decision.budget);
            assertEquals(12, decision.headroom);
            assertEquals(3, decision.instances);
            assertEquals(3, decision.others);
        }
    }

    @Test
    void weightsSplitTheBudgetProportionally() {
        // budget 100, headroom max(12, 10) = 12: 88 split 3:1 = 66 and 22
        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 3), 66, tagged("bbbbbb", 1), 22), 0);

        assertEquals(66, next(DEFAULTS, tag("aaaaaa", 3), census, 66).share);
        assertEquals(22, next(DEFAULTS, tag("bbbbbb", 1), census, 22).share);
    }

    @Test
    void otherApplicationsSessionsReduceTheShare() {
        Census alone = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 10, tagged("bbbbbb", 1), 10), 0);
        Census crowded = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 10, tagged("bbbbbb", 1), 10,
                "legacy-service", 24, "psql", 6), 0);

        assertEquals(44, next(DEFAULTS, tag("aaaaaa", 1), alone, 44).share); // (100 - 12) / 2
        FairShare.Decision decision = next(DEFAULTS, tag("aaaaaa", 1), crowded, 44);
        assertEquals(30, decision.others);
        assertEquals(29, decision.share); // (100 - 12 - 30) / 2
        assertEquals(29, decision.target);
    }

    @Test
    void theRecentPeakOfOthersCountsWhenHigherThanTheCensus() {
        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 10, "cron", 2), 0);
        FairShare fairShare = new FairShare(DEFAULTS, tag("aaaaaa", 1));

        FairShare.Decision peak = fairShare.next(census, 20, 86);
        assertEquals(20, peak.others);
        assertEquals(68, peak.share); // 100 - 12 - 20
        assertEquals(68, peak.target);

        FairShare.Decision now = fairShare.next(census, 1, 86);
        assertEquals(2, now.others, "a lower peak than the census itself is not believed");
        assertEquals(86, now.share); // 100 - 12 - 2
        assertEquals(86, now.target);
    }

    @Test
    void aLoneNewInstanceGrowsOnlyIntoTheSlotsThatAreFreeNow() {
        // budget 100, headroom 12; two instances still hold 36 each; the newcomer's share is 88 / 3 = 29
        InstanceTag self = tag("cccccc", 1);
        Census first = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 36, tagged("bbbbbb", 1), 36,
                tagged("cccccc", 1), 10), 0);
        FairShare.Decision start = next(DEFAULTS, self, first, 10);
        assertEquals(29, start.share);
        assertEquals(3, start.instances);
        assertEquals(10 + 6, start.target,
                "free: 100 - 12 - 82 = 6 slots, not the 19 to its share nor the 10 of doubling");

        // the others have shrunk to their share: 88 - 29 - 29 - 16 = 14 are free, doubling would allow 16,
        // but it takes no more than the 13 to its share
        Census later = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 29, tagged("bbbbbb", 1), 29,
                tagged("cccccc", 1), 16), 0);
        assertEquals(29, next(DEFAULTS, self, later, 16).target);
    }

    @Test
    void instancesBelowTheirShareSplitTheFreeSlotsSoThatTogetherTheyTakeNoMoreThanAreFree() {
        // budget 100, headroom 12, share 88 / 3 = 29 each; aaaaaa still holds 40, so 88 - 40 - 20 - 12 = 16 slots
        // are free. bbbbbb is 9 behind, cccccc 17: together 26. Neither would double in one count.
        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 40, tagged("bbbbbb", 1), 20,
                tagged("cccccc", 1), 12), 0);
        FairShare.Decision behind = next(DEFAULTS, tag("bbbbbb", 1), census, 20);
        FairShare.Decision further = next(DEFAULTS, tag("cccccc", 1), census, 12);
        assertEquals(29, behind.share);
        assertEquals(29, further.share);
        assertEquals(20 + 5, behind.target, "16 x 9 / 26 = 144 / 26, rounded down");
        assertEquals(12 + 10, further.target, "16 x 17 / 26 = 272 / 26, rounded down");
        int grown = behind.target - 20 + further.target - 12;
        assertTrue(grown > 0 && grown <= 16, "together they took " + grown + " of 16 free slots");
        assertTrue(further.target - 12 > behind.target - 20, "the one further behind takes more");
    }

    @Test
    void aGrowingPoolAtMostDoublesPerCount() {
        // budget 100, headroom 12, alone: share 88, and all 88 - current slots are free at every count; the
        // others an instance started with may show up only at its second count, so it takes 1, 2, 4... not 88
        InstanceTag self = tag("aaaaaa", 1);
        int[] expected = {2, 4, 8, 16, 32, 64, 88, 88}; // from 64, the 24 to its share stop it, not doubling
        int current = 1;
        for (int target : expected) {
            Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), current), 0);
            FairShare.Decision decision = next(DEFAULTS, self, census, current);
            assertEquals(88, decision.share);
            assertEquals(target, decision.target, "from " + current);
            current = decision.target;
        }

        // a second instance showing up at that second count halves the share: the first has not overshot it
        Census both = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 2, tagged("bbbbbb", 1), 1), 0);
        assertEquals(4, next(DEFAULTS, self, both, 2).target, "88 / 2 = 44 is still far");
        Census crowd = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 2, tagged("bbbbbb", 1), 1,
                tagged("cccccc", 1), 1, tagged("dddddd", 1), 1), 0);
        assertEquals(4, next(DEFAULTS, self, crowd, 2).target, "88 / 4 = 22");

        // a pool at its floor doubles from there, though it holds no session yet: 87 free, it takes 3
        ShareSettings floorOf3 = settings("DB_POOL_MIN_OPEN", "3");
        Census empty = Census.of(100, 0, sessions("psql", 1), 0);
        assertEquals(6, next(floorOf3, self, empty, 3).target);
    }

    @Test
    void noFreeSlotsMeansNoGrowthWhateverTheShare() {
        // budget 100, headroom 12: 88 - 44 - 44 = 0 free, though cccccc's share is 88 / 3 = 29
        Census full = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 44, tagged("bbbbbb", 1), 44), 0);
        FairShare.Decision decision = next(DEFAULTS, tag("cccccc", 1), full, 1);
        assertEquals(29, decision.share);
        assertEquals(1, decision.target);
        assertEquals(10, next(DEFAULTS, tag("cccccc", 1), full, 10).target, "nor by doubling");
    }

    @Test
    void shrinkingToTheShareIsImmediate() {
        // a third instance appeared: the old ones drop from 44 to 88 / 3 = 29 at once, free slots or not, and
        // by more than half if need be (growing at most doubles, shrinking has no such limit)
        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 44, tagged("bbbbbb", 1), 44,
                tagged("cccccc", 1), 1), 0);
        FairShare.Decision decision = next(DEFAULTS, tag("aaaaaa", 1), census, 44);
        assertEquals(29, decision.share);
        assertEquals(29, decision.target);

        Census crowded = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 44, "legacy", 80), 0);
        assertEquals(8, next(DEFAULTS, tag("aaaaaa", 1), crowded, 44).target, "100 - 12 - 80 = 8");
    }

    @Test
    void whenFreeSlotsRoundToNothingTheFirstInstancesByIdTakeOneEach() {
        // budget 70, headroom 10: 60 split 1:1:4 = 10, 10, 40; the heavy one still holds 57, so 1 slot is free
        ShareSettings settings = settings("DB_POOL_HEADROOM", "10");
        Census oneFree = Census.of(70, 0, sessions(tagged("bbbbbb", 1), 1, tagged("aaaaaa", 1), 1,
                tagged("hhhhhh", 4), 57), 0);
        FairShare.Decision first = next(settings, tag("aaaaaa", 1), oneFree, 1);
        assertEquals(10, first.share);
        assertEquals(2, first.target, "1 * 1 / 6 rounds to 0, and aaaaaa comes first");
        assertEquals(1, next(settings, tag("bbbbbb", 1), oneFree, 1).target, "no more of them than free slots");

        Census twoFree = Census.of(70, 0, sessions(tagged("bbbbbb", 1), 1, tagged("aaaaaa", 1), 1,
                tagged("hhhhhh", 4), 56), 0);
        assertEquals(2, next(settings, tag("aaaaaa", 1), twoFree, 1).target);
        assertEquals(2, next(settings, tag("bbbbbb", 1), twoFree, 1).target);
    }

    @Test
    void noMoreInstancesThanFreeSlotsTakeOneEach() {
        // budget 100, no headroom, share 25 each: hhhhhh still holds 95, so 2 slots are free for three instances
        Census census = Census.of(100, 0, sessions(tagged("cccccc", 1), 1, tagged("aaaaaa", 1), 1,
                tagged("bbbbbb", 1), 1, tagged("hhhhhh", 1), 95), 0);
        assertEquals(2, next(NO_HEADROOM, tag("aaaaaa", 1), census, 1).target);
        assertEquals(2, next(NO_HEADROOM, tag("bbbbbb", 1), census, 1).target);
        assertEquals(1, next(NO_HEADROOM, tag("cccccc", 1), census, 1).target);
        assertEquals(25, next(NO_HEADROOM, tag("hhhhhh", 1), census, 95).target);
    }

    /**
     * Whatever the server looks like: shrink to the share at once, or grow towards it by at most the free slots,
     * and to at most twice the current size.
     */
    @Test
    void theTargetNeverPassesTheShareNorTheFreeSlotsNorDoubles() {
        int boundByFree = 0;
        int boundByDoubling = 0;
        Random random = new Random(14);
        String[] ids = {"aaaaaa", "bbbbbb", "cccccc", "dddddd", "eeeeee"};
        for (int round = 0; round < 5_000; round++) {
            int maxConnections = 1 + random.nextInt(300);
            Map<String, Integer> sessions = new LinkedHashMap<>();
            int instances = 1 + random.nextInt(ids.length);
            for (int i = 0; i < instances; i++) {
                sessions.put(tagged(ids[i], 1 + random.nextInt(4)), 1 + random.nextInt(60));
            }
            sessions.put("others", random.nextInt(60));
            Census census = Census.of(maxConnections, random.nextInt(10), sessions, 0);
            InstanceTag self = InstanceTag.parse(sessions.keySet().iterator().next());
            int current = 1 + random.nextInt(80);

            FairShare.Decision decision = next(DEFAULTS, self, census, current);

            String seen = "round " + round + ": " + sessions + " of " + maxConnections + ", current " + current;
            if (decision.share <= current) {
                assertEquals(decision.share, decision.target, seen);
            } else {
                int free = census.budget() - decision.headroom - census.sessions();
                assertTrue(decision.target >= current, seen);
                assertTrue(decision.target <= decision.share, seen);
                assertTrue(decision.target - current <= Math.max(0, free), seen);
                assertTrue(decision.target <= 2 * current, seen);
                int toShare = decision.share - current;
                if (0 < free && free < current && free < toShare) {
                    boundByFree++;
                } else if (current < free && current < toShare) {
                    boundByDoubling++;
                }
            }
        }
        // both limits are put to the test, not just one
        assertTrue(boundByFree > 50, "rounds where the free slots were the tightest limit: " + boundByFree);
        assertTrue(boundByDoubling > 50, "rounds where doubling was the tightest limit: " + boundByDoubling);
    }

    @Test
    void theFloorAndTheCapClampTheShareAndTheTarget() {
        Census crowded = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 1, "legacy", 86), 0);
        FairShare.Decision floor = next(settings("DB_POOL_MIN_OPEN", "4"), tag("aaaaaa", 1), crowded, 4);
        assertEquals(4, floor.share, "100 - 12 - 86 = 2 slots left, but never below DB_POOL_MIN_OPEN");
        assertEquals(4, floor.target);

        ShareSettings capOf8 = settings("DB_POOL_MAX_OPEN_CAP", "8");
        Census empty = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 8), 0);
        FairShare.Decision cap = next(capOf8, tag("aaaaaa", 1), empty, 8);
        assertEquals(8, cap.share, "100 - 12 = 88 slots left, but never above DB_POOL_MAX_OPEN_CAP");
        assertEquals(8, cap.target);
        FairShare.Decision shrink = next(capOf8, tag("aaaaaa", 1), empty, 20);
        assertEquals(8, shrink.target);
        FairShare.Decision grow = next(capOf8, tag("aaaaaa", 1), empty, 5);
        assertEquals(8, grow.target, "doubling would allow 10");
        FairShare.Decision fromOne = next(capOf8, tag("aaaaaa", 1), empty, 1);
        assertEquals(2, fromOne.target, "below the cap, growth still at most doubles");
    }

    @Test
    void anInstanceNotYetInTheCensusStillCountsItself() {
        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 45, tagged("bbbbbb", 1), 45), 0);
        FairShare.Decision decision = next(DEFAULTS, tag("cccccc", 1), census, 1);
        assertEquals(3, decision.instances);
        assertEquals(29, decision.share); // (100 - 12) / 3

        Census nobody = Census.of(100, 0, sessions("psql", 1), 0);
        FairShare.Decision alone = next(DEFAULTS, tag("cccccc", 1), nobody, 1);
        assertEquals(1, alone.instances);
        assertEquals(87, alone.share); // 100 - 12 - 1
        assertEquals(2, alone.target, "87 slots are free, but growth at most doubles");
    }

    @Test
    void nothingAvailableGivesTheFloor() {
        ShareSettings floorOf2 = settings("DB_POOL_MIN_OPEN", "2");
        Census overbooked = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 10, "legacy", 95), 0);
        FairShare.Decision decision = next(floorOf2, tag("aaaaaa", 1), overbooked, 10);
        assertEquals(2, decision.share);
        assertEquals(2, decision.target);

        Census noBudget = Census.of(3, 5, sessions(tagged("aaaaaa", 1), 1), 0);
        FairShare.Decision none = next(floorOf2, tag("aaaaaa", 1), noBudget, 2);
        assertEquals(0, none.budget);
        assertEquals(0, none.headroom);
        assertEquals(2, none.target);
    }

    @Test
    void defaultHeadroomIsTwelveOrATenthCappedAtHalfTheBudget() {
        assertEquals(12, DEFAULTS.headroom(27));
        assertEquals(12, DEFAULTS.headroom(100), "at least 12, more than a tenth");
        assertEquals(12, DEFAULTS.headroom(120), "a tenth is 12");
        assertEquals(13, DEFAULTS.headroom(121), "a tenth, rounded up");
        assertEquals(50, DEFAULTS.headroom(500));
        assertEquals(12, DEFAULTS.headroom(24), "half of it exactly");
        assertEquals(11, DEFAULTS.headroom(23), "never more than half a small server, rounded down");
        assertEquals(6, DEFAULTS.headroom(12));
        assertEquals(0, DEFAULTS.headroom(1));
        assertEquals(0, DEFAULTS.headroom(0));
        assertEquals("max(12, 10%)", DEFAULTS.describeHeadroom());
        assertEquals("max(12, 10%)", ShareSettings.DEFAULT_HEADROOM);
        for (int budget = 0; budget <= 2_000; budget++) {
            assertEquals(ShareSettings.defaultHeadroom(budget), DEFAULTS.headroom(budget), "budget " + budget);
        }
    }

    @Test
    void explicitHeadroomIsSlotsOrAPercentageOfTheBudget() {
        ShareSettings slots = settings("DB_POOL_HEADROOM", "5");
        assertEquals(5, slots.headroom(100));
        assertEquals(5, slots.headroom(1000));
        assertEquals("5", slots.describeHeadroom());

        ShareSettings percent = settings("DB_POOL_HEADROOM", "15%");
        assertEquals(15, percent.headroom(100));
        assertEquals(150, percent.headroom(1000));
        assertEquals(2, percent.headroom(10), "rounded up");
        assertEquals("15%", percent.describeHeadroom());

        Census census = Census.of(100, 0, sessions(tagged("aaaaaa", 1), 85), 0);
        assertEquals(85, next(percent, tag("aaaaaa", 1), census, 85).share);
        assertEquals(95, next(slots, tag("aaaaaa", 1), census, 85).target);
    }
}
