package io.poolagent.replica;

import io.poolagent.replica.ReplicaChoice.Reason;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaChoiceTest {

    private static final long BOUND = 1_000;
    private static final long NOW = 100_000;

    private final ReplicaState a = new ReplicaState("a:5432", NOW - 1);
    private final ReplicaState b = new ReplicaState("b:5432", NOW - 1);
    private final List<ReplicaState> both = List.of(a, b);
    private final Map<ReplicaState, Integer> load = new HashMap<>();
    private final WriteFence fence = new WriteFence();
    private final Reason[] why = new Reason[1];

    private int choose(Reason... tried) {
        Reason[] before = tried.length == 0 ? new Reason[2] : tried;
        return ReplicaChoice.choose(both, before, NOW, BOUND, fence.mark(), r -> load.getOrDefault(r, 0), 0, why);
    }

    private static void inStep(ReplicaState replica, long caughtUpTo) {
        replica.answered(NOW, caughtUpTo);
    }

    @Test
    void theLeastLoadedStandbyInStepGetsTheRead() {
        inStep(a, NOW - 10);
        inStep(b, NOW - 10);
        load.put(a, 3);
        load.put(b, 1);
        assertEquals(1, choose());
        assertEquals(Reason.ROUTED, why[0]);
    }

    @Test
    void equallyLoadedStandbysTakeTurns() {
        inStep(a, NOW - 10);
        inStep(b, NOW - 10);
        Reason[] reason = new Reason[1];
        assertEquals(0, ReplicaChoice.choose(both, new Reason[2], NOW, BOUND, fence.mark(), r -> 0, 0, reason));
        assertEquals(1, ReplicaChoice.choose(both, new Reason[2], NOW, BOUND, fence.mark(), r -> 0, 1, reason));
    }

    @Test
    void aStandbyBehindTheBoundGetsNoReads() {
        inStep(a, NOW - BOUND - 1);
        inStep(b, NOW - 10);
        assertEquals(1, choose());
        inStep(b, Long.MIN_VALUE);
        b.answered(NOW, Long.MIN_VALUE);
        ReplicaState lagging = new ReplicaState("c:5432", NOW - 1);
        lagging.answered(NOW, NOW - 2 * BOUND);
        assertEquals(-1, ReplicaChoice.choose(List.of(lagging), new Reason[1], NOW, BOUND, fence.mark(), r -> 0, 0,
                why));
        assertEquals(Reason.LAGGING, why[0]);
    }

    @Test
    void aStandbyThatAnswersButWasNeverPlacedIsNotWithinTheBound() {
        b.answered(NOW, Long.MIN_VALUE); // it answers, but behind every primary sample kept
        assertFalse(b.usable(NOW, BOUND));
        assertFalse(b.usable(Long.MAX_VALUE, BOUND));
        assertEquals(-1, ReplicaChoice.choose(List.of(b), new Reason[1], NOW, BOUND, fence.mark(), r -> 0, 0, why));
        assertEquals(Reason.LAGGING, why[0]);
    }

    @Test
    void withNoStandbyAnsweringTheReadStaysOnThePrimary() {
        assertEquals(-1, choose());
        assertEquals(Reason.NO_REPLICA, why[0]);
        a.answered(NOW, NOW - 10);
        a.down("refused");
        assertEquals(-1, choose());
        assertEquals(Reason.NO_REPLICA, why[0]);
    }

    @Test
    void aThreadsOwnWriteKeepsItsReadsOffStandbysThatHaveNotReplayedIt() {
        inStep(a, NOW - 10);
        inStep(b, NOW - 10);
        WriteFence.Mark mark = fence.mark();
        mark.opened();
        assertEquals(-1, choose());
        assertEquals(Reason.OWN_WRITE, why[0], "while its used primary session is open");
        mark.closed(NOW - 5, 0);
        assertEquals(-1, choose());
        assertEquals(Reason.OWN_WRITE, why[0], "written after both caught up, its WAL position unknown");
        inStep(b, NOW - 1);
        assertEquals(1, choose());
        assertFalse(ReplicaChoice.mustConfirm(b, mark));
    }

    @Test
    void aStandbyNotYetSeenPastTheThreadsWriteMustConfirmItsKnownPosition() {
        inStep(a, NOW - 10);
        WriteFence.Mark mark = fence.mark();
        mark.opened();
        mark.closed(NOW - 5, 0x1_0000_0000L);
        assertEquals(0, ReplicaChoice.choose(List.of(a), new Reason[1], NOW, BOUND, mark, r -> 0, 0, why));
        assertTrue(ReplicaChoice.mustConfirm(a, mark));
        mark.opened();
        assertEquals(-1, ReplicaChoice.choose(List.of(a), new Reason[1], NOW, BOUND, mark, r -> 0, 0, why),
                "not while a used primary session of the thread is open");
        assertEquals(Reason.OWN_WRITE, why[0]);
    }

    @Test
    void anotherThreadsWriteDoesNotHoldThisOnesReads() throws InterruptedException {
        inStep(a, NOW - 10);
        Thread writer = new Thread(() -> fence.mark().opened());
        writer.start();
        writer.join();
        assertEquals(0, choose());
    }

    @Test
    void standbysWithoutAFreeConnectionAreSaidBusy() {
        inStep(a, NOW - 10);
        inStep(b, NOW - 10);
        assertEquals(-1, choose(Reason.REPLICAS_BUSY, Reason.REPLICAS_BUSY));
        assertEquals(Reason.REPLICAS_BUSY, why[0]);
        assertEquals(1, choose(Reason.REPLICAS_BUSY, null));
    }

    @Test
    void aStandbyTriedAndFoundWithoutTheThreadsWriteIsSaidSo() {
        inStep(a, NOW - BOUND - 1); // lagging
        inStep(b, NOW - 10);
        assertEquals(-1, choose(null, Reason.OWN_WRITE));
        assertEquals(Reason.OWN_WRITE, why[0], "not busy, not lagging: the thread's write is the reason");
    }
}
