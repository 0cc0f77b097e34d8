package io.poolagent.replica;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagWatchTest {

    private static final long BOUND = 1_000;

    private final AtomicLong clock = new AtomicLong(10_000);
    private final AtomicLong primaryLsn = new AtomicLong(100);
    private final AtomicLong replayed = new AtomicLong(100);
    private boolean primaryAnswers = true;
    private boolean standbyAnswers = true;
    private final ReplicaState standby = new ReplicaState("standby:5432", clock.get());
    private final LagWatch watch = new LagWatch(this::primary, List.of(standby), List.of(this::standby), clock::get);

    private long primary() {
        if (!primaryAnswers) {
            throw new IllegalStateException("primary gone");
        }
        return primaryLsn.get();
    }

    private long standby() {
        if (!standbyAnswers) {
            throw new IllegalStateException("connection refused");
        }
        return replayed.get();
    }

    @Test
    void aStandbyInStepIsCaughtUpToTheMomentTheRoundAskedThePrimary() {
        watch.sample();
        assertTrue(standby.usable(clock.get(), BOUND));
        assertTrue(standby.hasReplayed(clock.get() - 1));
        assertFalse(standby.hasReplayed(clock.get()), "a write acknowledged after the sample is not known to be there");
    }

    @Test
    void aStandbyBehindIsPlacedAtTheNewestPrimarySampleItHasReplayed() {
        watch.sample(); // at 10_000, position 100, replayed
        clock.set(10_500);
        primaryLsn.set(200);
        watch.sample(); // replayed still 100
        assertEquals(500 / 1e9, standby.lagSeconds(10_500), 1e-12);
        clock.set(11_200);
        primaryLsn.set(300);
        replayed.set(250);
        watch.sample(); // replayed 250: past the sample of 10_500 (200), not the one of 11_200 (300)
        assertTrue(standby.hasReplayed(10_499));
        assertFalse(standby.hasReplayed(10_500));
    }

    @Test
    void aStandbyWhoseReplayStoppedAgesPastTheBoundByItself() {
        watch.sample();
        primaryLsn.set(500);
        for (int round = 1; round <= 12; round++) {
            clock.addAndGet(100);
            watch.sample();
        }
        assertTrue(standby.up());
        assertFalse(standby.usable(clock.get(), BOUND));
        replayed.set(500);
        clock.addAndGet(100);
        watch.sample();
        assertTrue(standby.usable(clock.get(), BOUND), "back once it replayed");
    }

    @Test
    void aRoundWithoutThePrimaryMovesNobodyForward() {
        watch.sample();
        long caughtUp = clock.get();
        primaryAnswers = false;
        clock.addAndGet(2 * BOUND);
        watch.sample();
        assertFalse(standby.hasReplayed(caughtUp));
        assertFalse(standby.usable(clock.get(), BOUND));
        assertFalse(watch.primaryProblem().isEmpty());
    }

    @Test
    void aStandbyThatDoesNotAnswerIsDownWithItsReason() {
        standbyAnswers = false;
        watch.sample();
        assertFalse(standby.up());
        assertEquals("connection refused", standby.problem());
        clock.addAndGet(2_000_000_000L);
        assertEquals(2.0, standby.lagSeconds(clock.get()), 1e-9, "since the watch began, as nothing was seen");
    }

    @Test
    void aFailedStandbyGetsNoReadsUntilTheWatchHearsFromItAgain() {
        watch.sample();
        standby.failed(clock.get());
        assertFalse(standby.usable(clock.get(), BOUND));
        clock.addAndGet(10);
        watch.sample();
        assertTrue(standby.usable(clock.get(), BOUND));
    }

    @Test
    void aQuietPrimaryKeepsItsOlderPositionsAndProvesMoreWithEachSample() {
        LagWatch longBound = new LagWatch(this::primary, List.of(standby), List.of(this::standby), clock::get, 100);
        primaryLsn.set(100);
        replayed.set(100);
        for (int round = 0; round < 500; round++) { // far more rounds than samples kept, all at one position
            clock.addAndGet(10);
            longBound.sample();
        }
        assertTrue(standby.hasReplayed(clock.get() - 1), "placed at the newest sample of the unmoved position");
    }

    @Test
    void afterAFailoverStandbysArePlacedAgainstTheNewPrimarysPositions() {
        primaryLsn.set(1000);
        replayed.set(1000);
        watch.sample();
        long placed = clock.get();
        clock.addAndGet(10);
        primaryLsn.set(500); // a promoted standby, behind the old primary's last position
        replayed.set(400);
        watch.sample();
        clock.addAndGet(10);
        primaryLsn.set(600);
        replayed.set(550);
        watch.sample();
        assertTrue(standby.hasReplayed(placed + 9), "placed at the new primary's 500, which it has replayed");
        assertFalse(standby.hasReplayed(placed + 10), "not at its 600");
    }

    @Test
    void anInsertPositionAtAPageHeaderIsReadAsTheRecordBoundaryBeforeIt() {
        long block = 8192;
        long segment = 16L << 20;
        assertEquals(3 * segment, LagWatch.recordBoundary(3 * segment + 40, block, segment), "a segment's first page");
        assertEquals(5 * block, LagWatch.recordBoundary(5 * block + 24, block, segment), "any other page");
        assertEquals(5 * block + 40, LagWatch.recordBoundary(5 * block + 40, block, segment), "a record's end");
        assertEquals(5 * block + 24, LagWatch.recordBoundary(5 * block + 24, 0, 0), "sizes unknown: as it is");
    }

    @Test
    void walPositionsAreReadAsPgLsnText() {
        assertEquals(0x16_B374D848L, LagWatch.parseLsn("16/B374D848"));
        assertEquals(0L, LagWatch.parseLsn("0/0"));
        assertTrue(Long.compareUnsigned(LagWatch.parseLsn("FFFFFFFF/0"), LagWatch.parseLsn("1/0")) > 0);
        assertThrows(IllegalArgumentException.class, () -> LagWatch.parseLsn("16B374D848"));
        assertThrows(NumberFormatException.class, () -> LagWatch.parseLsn("zz/1"));
    }
}
