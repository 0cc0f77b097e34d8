package io.poolagent.share;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

import static io.poolagent.share.ShareFixtures.server;
import static io.poolagent.share.ShareFixtures.settings;
import static io.poolagent.share.ShareFixtures.tag;
import static io.poolagent.share.ShareFixtures.tagged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the keeper counts, what a count does to the pool, and what it does when it cannot count: a clock moved
 * by hand, a pool that only keeps tallies, and a server that is a {@link Census} set by each test.
 */
class ShareKeeperTest {

    /** DB_POOL_SHARE_PERIOD's default. */
    private static final long PERIOD = 10_000;
    private static final String SELF = tagged("aaaaaa", 1);

    private final ManualClock clock = new ManualClock();
    private final FakeServer server = new FakeServer();
    private final FakePool pool = new FakePool();

    private ShareKeeper keeper(String... settings) {
        return new ShareKeeper(settings(settings), tag("aaaaaa", 1), server, clock);
    }

    /** The next count after the period, the application having borrowed meanwhile. */
    private void usedForAPeriod() {
        pool.borrows++;
        clock.advance(PERIOD);
    }

    @Test
    void startCountsOnTheCallingThreadThenASecondLaterToSeeTheOtherInstances() {
        server.census = server(SELF, 1, "psql", 1);
        ShareKeeper keeper = keeper();
        assertEquals(1, keeper.initialSize(), "DB_POOL_MIN_OPEN");

        keeper.start(pool);

        assertEquals(1, server.reads);
        assertEquals(1, keeper.evaluations());
        assertEquals(List.of(2), pool.sizes, "87 slots are free, but growth at most doubles");
        assertEquals(2, keeper.target());
        assertEquals(87, keeper.share());
        assertEquals("start", keeper.lastReason());
        assertEquals(1, pool.quietBorrows);
        assertEquals(1, pool.givenBack);
        assertEquals(0, keeper.retired());
        assertEquals(1000, clock.nextCountIn());
    }

    @Test
    void aGrowingPoolCountsEverySecondUntilItReachesItsShareThenEveryPeriod() {
        ShareKeeper keeper = keeper("DB_POOL_MAX_OPEN_CAP", "8");
        keeper.start(pool);

        for (int count = 2; count <= 3; count++) {
            pool.borrows++;
            clock.advance(1000);
            assertEquals(count, server.reads);
        }

        assertEquals(List.of(2, 4, 8), pool.sizes);
        assertEquals("growing", keeper.lastReason());
        assertEquals(PERIOD, clock.nextCountIn(), "at its share of 8: no hurry");
        usedForAPeriod();
        assertEquals(4, server.reads);
        assertEquals(List.of(2, 4, 8), pool.sizes, "a count that changes nothing resizes nothing");
    }

    @Test
    void anUnusedPoolHoldsItsSessionsWithoutBorrowingToCount() {
        ShareKeeper keeper = keeper();
        keeper.start(pool);

        clock.advance(1000); // no borrow since the first count

        assertEquals(1, server.reads, "counting would keep its idle connection from ever timing out");
        assertEquals(1, pool.quietBorrows);
        assertEquals(List.of(2, 1), pool.sizes, "back to the one session it holds");
        assertEquals("idle", keeper.lastReason());
        assertEquals(PERIOD, clock.nextCountIn());
        clock.advance(PERIOD);
        assertEquals(List.of(2, 1), pool.sizes, "holding what it has already changes nothing");
        usedForAPeriod();
        assertEquals(2, server.reads, "used again: counted again");
    }

    @Test
    void aPoolWithoutSessionsRestsUntilItsNextConnectAsksForACount() {
        ShareKeeper keeper = keeper();
        keeper.start(pool);
        keeper.connected();
        assertEquals(1000, clock.nextCountIn(), "a connect asks for nothing while the pool is not resting");

        pool.open = 0;
        pool.idle = 0;
        clock.advance(1000);
        assertEquals(1, server.reads);
        assertEquals(List.of(2, 1), pool.sizes, "back to its floor");
        assertEquals("idle", keeper.lastReason());
        assertEquals(PERIOD, clock.nextCountIn());

        pool.open = 1;
        pool.idle = 1;
        keeper.connected();
        assertEquals(1000, clock.nextCountIn(), "once HikariCP has taken the new session in");
        clock.advance(500);
        keeper.connected();
        assertEquals(500, clock.nextCountIn(), "one connect wakes it, not each");
        clock.advance(500);
        assertEquals(2, server.reads, "counted though the application has borrowed nothing yet");
    }

    @Test
    void whenTheFirstCountFailsThePoolTakesTheFallbackSizeAndTriesAgainEachPeriod() {
        server.unreadable = new SQLException("permission denied for view pg_stat_activity", "42501");
        ShareKeeper keeper = keeper();

        keeper.start(pool);

        assertEquals(1, server.reads);
        assertEquals(0, keeper.evaluations());
        assertEquals(List.of(10), pool.sizes, "HikariCP's default, DB_POOL_MAX_OPEN_CAP unset");
        assertEquals(10, keeper.target());
        assertEquals(10, keeper.share(), "no count yet: the share is the size it keeps");
        assertEquals(0, keeper.budget());
        assertEquals("start", keeper.lastReason());
        assertEquals(1, pool.givenBack);
        assertEquals(0, pool.retired, "the connection is not to blame");
        assertEquals(PERIOD, clock.nextCountIn());

        usedForAPeriod();
        assertEquals(2, server.reads);
        assertEquals(List.of(10), pool.sizes, "a later failure keeps what it has");

        server.unreadable = null;
        server.census = server(SELF, 10);
        usedForAPeriod();
        assertEquals(3, server.reads);
        assertEquals(1, keeper.evaluations());
        assertEquals(List.of(10, 20), pool.sizes, "readable again: it grows from the fallback");
    }

    @Test
    void aFailedCountAfterAGoodOneKeepsTheSize() {
        ShareKeeper keeper = keeper("DB_POOL_MAX_OPEN_CAP", "2");
        keeper.start(pool);
        server.unreadable = new SQLException("canceling statement due to statement timeout", "57014");

        pool.borrows++;
        clock.advance(1000);

        assertEquals(2, server.reads);
        assertEquals(List.of(2), pool.sizes);
        assertEquals(2, keeper.target());
        assertEquals(PERIOD, clock.nextCountIn());
    }

    @Test
    void aCountThatBreaksKeepsTheSizeAndTriesAgainAfterThePeriod() {
        server.broken = new IllegalStateException("a bug");
        ShareKeeper keeper = keeper();

        keeper.start(pool);

        assertEquals(1, keeper.target(), "no fallback: only an unreadable server takes that");
        assertTrue(pool.sizes.isEmpty());
        assertEquals(1, pool.givenBack);
        assertEquals(0, pool.retired);
        assertEquals(PERIOD, clock.nextCountIn());
    }

    @Test
    void aPoolWithNoConnectionFreeCountsAgainInASecond() {
        pool.idle = 0;
        ShareKeeper keeper = keeper();

        keeper.start(pool);

        assertEquals(0, server.reads);
        assertTrue(pool.sizes.isEmpty(), "it keeps its size until it can count");
        assertEquals(1000, clock.nextCountIn());
    }

    @Test
    void aPoolThatCannotConnectLeavesItToItsRetriesForAPeriod() {
        pool.cannotConnect = true;
        ShareKeeper keeper = keeper();

        keeper.start(pool);

        assertEquals(0, server.reads);
        assertTrue(pool.sizes.isEmpty());
        assertEquals(PERIOD, clock.nextCountIn());
    }

    @Test
    void aRefusedConnectIsCountedAtOnceButNoMoreThanOnceASecond() {
        ShareKeeper keeper = keeper("DB_POOL_MAX_OPEN_CAP", "2");
        keeper.start(pool);
        pool.borrows++;
        clock.advance(1000);
        assertEquals(2, server.reads);
        assertEquals(PERIOD, clock.nextCountIn());

        clock.advance(999);
        keeper.serverFull();
        assertEquals(PERIOD - 999, clock.nextCountIn(), "a second has not passed since the last count");

        clock.advance(1);
        keeper.serverFull();
        assertEquals(0, clock.nextCountIn());
        clock.advance(0);
        assertEquals(3, server.reads, "counted though the application has borrowed nothing");
        assertEquals(List.of(2, 1), pool.sizes, "holds the one session it has");
        assertEquals("server_full", keeper.lastReason());
        assertEquals(PERIOD, clock.nextCountIn());
    }

    @Test
    void aConnectRefusedDuringACountBringsTheNextOneWithinASecond() {
        ShareKeeper keeper = keeper("DB_POOL_MAX_OPEN_CAP", "2");
        keeper.start(pool);
        pool.borrows++;
        clock.advance(1000);
        assertEquals(PERIOD, clock.nextCountIn());
        server.during = keeper::serverFull;

        usedForAPeriod();

        assertEquals(3, server.reads);
        assertEquals(1000, clock.nextCountIn());
        server.during = () -> { };
        clock.advance(1000);
        assertEquals(4, server.reads);
        assertEquals("server_full", keeper.lastReason());
    }

    @Test
    void aPoolAboveItsShareRetiresIdleConnectionsAtOnceAndBusyOnesAsTheyComeBack() {
        pool.open = 10;
        pool.idle = 3;
        server.census = server(SELF, 10, "legacy", 84); // 100 - 12 - 84 = 4 slots left, and none free
        ShareKeeper keeper = keeper("DB_POOL_MIN_OPEN", "4");

        keeper.start(pool);

        assertEquals(List.of(4), pool.sizes);
        assertEquals(3, pool.retired, "the counting connection and the two other idle ones");
        assertEquals(7, pool.open);
        assertEquals(3, keeper.retired());
        for (int busy = 7; busy > 4; busy--) {
            assertTrue(keeper.claimSurplus(), busy + " open");
            pool.open--; // the return path closes it
        }
        assertFalse(keeper.claimSurplus(), "at its share: the rest go back to the pool");
        assertEquals(6, keeper.retired());
    }

    @Test
    void returnsStopClosingWhenThePoolShrankToItsShareByItself() {
        pool.open = 10;
        pool.idle = 1;
        server.census = server(SELF, 10, "legacy", 84);
        ShareKeeper keeper = keeper("DB_POOL_MIN_OPEN", "4");
        keeper.start(pool);
        assertEquals(1, keeper.retired());

        pool.open = 4; // HikariCP retired some itself: lifetime, idle time

        assertFalse(keeper.claimSurplus());
        pool.open = 9;
        assertFalse(keeper.claimSurplus(), "the surplus the count found is spent");
        assertEquals(1, keeper.retired());
    }

    @Test
    void stopCancelsThePendingCountAndEveryLaterAsk() {
        ShareKeeper keeper = keeper();
        keeper.start(pool);

        keeper.stop();
        clock.advance(2000);
        keeper.serverFull();
        pool.open = 0;
        clock.advance(PERIOD);

        assertEquals(-1, clock.nextCountIn());
        assertEquals(1, server.reads);
        assertEquals(List.of(2), pool.sizes);
    }

    /** Time that moves only when the test moves it, running each count that falls due on the test's thread. */
    private static final class ManualClock implements Clock {
        private long now;
        private final List<Pending> pending = new ArrayList<>();

        /** A count to run at {@code at}, unless its future was cancelled first. */
        private static final class Pending {
            final long at;
            final Runnable task;
            final FutureTask<Void> future;

            Pending(long at, Runnable task) {
                this.at = at;
                this.task = task;
                this.future = new FutureTask<>(task, null);
            }
        }

        @Override
        public long millis() {
            return now;
        }

        @Override
        public Future<?> schedule(Runnable task, long delayMillis) {
            Pending count = new Pending(now + delayMillis, task);
            pending.add(count);
            return count.future;
        }

        /** Runs what falls due within {@code millis}, in order; a count's own failure fails the test. */
        void advance(long millis) {
            long until = now + millis;
            for (Pending next = earliest(); next != null && next.at <= until; next = earliest()) {
                pending.remove(next);
                now = next.at;
                next.task.run(); // not the future: the keeper cancels the running count as it schedules the next
            }
            now = until;
        }

        /** In how long the pending count runs; -1 when none is. */
        long nextCountIn() {
            Pending next = earliest();
            assertEquals(next == null ? 0 : 1, pending.size(), "one count pending at a time");
            return next == null ? -1 : next.at - now;
        }

        private Pending earliest() {
            pending.removeIf(count -> count.future.isCancelled());
            Pending earliest = null;
            for (Pending count : pending) {
                if (earliest == null || count.at < earliest.at) {
                    earliest = count;
                }
            }
            return earliest;
        }
    }

    /** The server as the next counts see it, and how often it was read. */
    private static final class FakeServer implements ShareKeeper.CensusSource {
        Census census = server(SELF, 1);
        SQLException unreadable;
        RuntimeException broken;
        Runnable during = () -> { };
        int reads;

        @Override
        public Census read(Connection connection) throws SQLException {
            reads++;
            during.run();
            if (unreadable != null) {
                throw unreadable;
            }
            if (broken != null) {
                throw broken;
            }
            return census;
        }
    }

    /** A pool that keeps tallies: its sessions, the keeper's borrows of them, and the sizes it was given. */
    private static final class FakePool implements ShareKeeper.Pool {
        private static final Connection CONNECTION = (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException("the keeper hands it to the census only");
                });

        int open = 1;
        int idle = 1;
        long borrows;
        boolean cannotConnect;
        int quietBorrows;
        int givenBack;
        int retired;
        final List<Integer> sizes = new ArrayList<>();

        @Override
        public String name() {
            return "test";
        }

        @Override
        public Connection borrowQuietly(long waitMillis) throws SQLException {
            if (cannotConnect) {
                throw new SQLException("Connection refused", "08001");
            }
            if (idle == 0) {
                return null;
            }
            idle--;
            quietBorrows++;
            return CONNECTION;
        }

        @Override
        public void giveBack(Connection connection, boolean retire) {
            givenBack++;
            if (retire) {
                open--;
                retired++;
            } else {
                idle++;
            }
        }

        @Override
        public void resize(int maxOpen) {
            sizes.add(maxOpen);
        }

        @Override
        public int open() {
            return open;
        }

        @Override
        public int idle() {
            return idle;
        }

        @Override
        public long borrows() {
            return borrows;
        }
    }
}
