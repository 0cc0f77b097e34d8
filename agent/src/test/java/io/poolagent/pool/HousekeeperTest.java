package io.poolagent.pool;

import io.poolagent.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HousekeeperTest {

    @Test
    void threadsRacingTheFirstUseStartOneExecutorAndOneExitHook() throws Exception {
        List<Thread> exitHooks = new CopyOnWriteArrayList<>();
        Housekeeper housekeeper = new Housekeeper(Settings.defaults(), List.of(), pool -> false, exitHooks::add);
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        Set<ScheduledExecutorService> executors = Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread racer = new Thread(() -> {
                try {
                    start.await();
                    executors.add(housekeeper.timer());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            racer.start();
            racers.add(racer);
        }
        for (Thread racer : racers) {
            racer.join();
        }
        try {
            assertEquals(1, executors.size(), "executors started");
            assertEquals(1, exitHooks.size(), "exit hooks registered");
            assertSame(executors.iterator().next(), housekeeper.timer(), "a later caller gets the same one");
            assertEquals(1, exitHooks.size());
        } finally {
            ((ExecutorService) housekeeper.timer()).shutdownNow();
        }
    }

    @Test
    void nothingStartsBeforeTheFirstUse() {
        List<Thread> exitHooks = new ArrayList<>();
        new Housekeeper(Settings.defaults(), List.of(), pool -> false, exitHooks::add);
        assertEquals(List.of(), exitHooks);
    }
}
