package io.poolagent.replica;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteFenceTest {

    private final WriteFence.Mark mark = new WriteFence().mark();

    @Test
    void anOpenUsedSessionHoldsTheThreadsReadsUntilItGoesBack() {
        ReplicaState standby = new ReplicaState("s:5432", 0);
        standby.answered(1_000, 900);
        assertTrue(mark.seenBy(standby), "a thread that never wrote");
        mark.opened();
        assertTrue(mark.writing());
        assertFalse(mark.seenBy(standby));
        mark.closed(950, 77);
        assertFalse(mark.writing());
        assertFalse(mark.seenBy(standby), "written at 950, the standby is placed at 900");
        assertEquals(77, mark.position());
        standby.answered(2_000, 1_500);
        assertTrue(mark.seenBy(standby));
    }

    @Test
    void aPositionReadAfterEveryEarlierWriteWentBackCoversThemAll() {
        mark.opened();
        mark.closed(100, 0); // position unknown
        assertEquals(0, mark.position());
        mark.opened();
        mark.closed(200, 500, 150); // read after the first went back
        assertEquals(500, mark.position());
    }

    @Test
    void aPositionReadBeforeAnEarlierWriteWentBackLeavesItUnknown() {
        mark.opened();
        mark.opened();
        mark.closed(300, 0);
        mark.closed(310, 500, 250); // read at 250, before the unknown write went back at 300
        assertEquals(0, mark.position());
        mark.opened();
        mark.closed(400, 300, 350); // read after both went back: it covers them
        assertEquals(300, mark.position());
    }

    @Test
    void positionsOnlyGrowWhenClosedOutOfOrder() {
        mark.opened();
        mark.opened();
        mark.closed(200, 900, 190);
        mark.closed(150, 700, 140); // closed on another thread, earlier
        assertEquals(900, mark.position());
        assertEquals(200, mark.lastWrite());
    }
}
