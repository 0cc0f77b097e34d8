package io.poolagent.session;

import io.poolagent.config.ResetMode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrackedConnectionTest {

    /**
     * Statements of one connection may run on several threads at once; what each changed must all be in the
     * record the return path reads. Four threads note a bit each at the same moment, five thousand times over.
     */
    @Test
    void changesNotedAtOnceOnSeveralThreadsAreAllKept() throws Exception {
        TrackedConnection session = new TrackedConnection(null,
                new ReturnPath("test", ResetMode.FULL, true, 5000, new IdleSessions(10)), () -> { });
        int threads = 4;
        int rounds = 5000;
        int all = (1 << threads) - 1;
        List<Integer> lost = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier done = new CyclicBarrier(threads + 1);
        List<Thread> noting = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int bit = 1 << t;
            Thread thread = new Thread(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        start.await();
                        session.note(bit);
                        done.await();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            noting.add(thread);
        }
        for (int round = 0; round < rounds; round++) {
            start.await();
            done.await();
            int taken = session.takeChanges();
            if (taken != all) {
                lost.add(round);
            }
        }
        for (Thread thread : noting) {
            thread.join();
        }
        assertEquals(List.of(), lost, "rounds in which a thread's change was lost");
    }
}
