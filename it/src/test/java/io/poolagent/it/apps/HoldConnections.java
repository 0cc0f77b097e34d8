package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Phase 1: HOLDERS threads each borrow a connection and hold it; once all hold, prints
 * "RESULT holding=HOLDERS" and keeps them for HOLD_SECONDS, so a test can compare the metrics with the truth.
 * Phase 2: 4 x HOLDERS threads contend for the pool (so that callers wait), then "RESULT done=true".
 * With a sixth argument WAITERS, that many more threads ask for a connection while the holders hold,
 * and wait (a saturated pool), before "holding" is printed.
 * Args: URL USER PASSWORD HOLDERS HOLD_SECONDS [WAITERS]
 */
public final class HoldConnections {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int holders = Integer.parseInt(args[3]);
        long holdMillis = Long.parseLong(args[4]) * 1000;
        CountDownLatch holding = new CountDownLatch(holders);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
            threads.add(start(() -> {
                try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
                    holding.countDown();
                    release.await();
                }
            }));
        }
        holding.await();
        int waiters = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        for (int i = 0; i < waiters; i++) {
            threads.add(start(() -> {
                try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
                    release.await();
                }
            }));
        }
        Thread.sleep(waiters > 0 ? 500 : 0);
        System.out.println("RESULT holding=" + holders);
        Thread.sleep(holdMillis);
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        threads.clear();
        for (int i = 0; i < holders * 4; i++) {
            threads.add(start(() -> {
                for (int n = 0; n < 20; n++) {
                    try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
                         Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select pg_sleep(0.005)")) {
                        rs.next();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("RESULT done=true");
        Thread.sleep(holdMillis);
    }

    interface Work {
        void run() throws Exception;
    }

    private static Thread start(Work work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (Exception e) {
                System.out.println("error: " + e);
            }
        });
        thread.start();
        return thread;
    }
}
