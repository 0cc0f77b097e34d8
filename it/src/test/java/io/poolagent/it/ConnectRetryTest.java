package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectCalls;
import io.poolagent.it.apps.QueryLoop;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.RefusingListener;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A pod that starts before its database: the first connect is retried with backoff, once per pool. */
class ConnectRetryTest {

    private static PostgresServer pg;

    @BeforeAll
    static void startServer() {
        pg = PostgresServer.start(40, PostgresServer.Auth.SCRAM);
        pg.createRole("app", "app-pw-5521");
    }

    @AfterAll
    static void stopServer() {
        pg.close();
    }

    @Test
    void aServerThatStartsFiveSecondsLateIsWaitedFor() throws Exception {
        try (PostgresServer late = PostgresServer.create(20, PostgresServer.Auth.TRUST)) {
            CompletableFuture<ChildJvm.Result> app = CompletableFuture.supplyAsync(() -> agent()
                    .env("DB_POOL_CONNECT_RETRIES", "10")
                    .env("DB_POOL_CONNECT_BACKOFF", "500ms")
                    .env("DB_POOL_CONNECT_BACKOFF_MAX", "2s")
                    .run(ConnectCalls.class, late.url(), PostgresServer.SUPERUSER, "", "1", "1"));
            TimeUnit.SECONDS.sleep(5);
            late.start();
            ChildJvm.Result r = app.get(2, TimeUnit.MINUTES);

            assertEquals("{ok=1}", r.value("outcomes"), r.toString());
            assertTrue(r.agentLinesContaining("connect attempt 1 of 11 failed with SQLSTATE 08001") == 1, r.toString());
            assertTrue(r.agentLinesContaining("retrying in") >= 3, r.toString());
            assertEquals(1, r.agentLinesContaining("connected on attempt"), r.toString());
        }
    }

    @Test
    void aWrongPasswordFailsAtOnceWithoutRetries() {
        ChildJvm.Result r = agent().run(ConnectCalls.class, pg.url(), "app", "not-the-password", "1", "1");

        assertEquals("{28P01=1}", r.value("outcomes"), r.toString());
        assertTrue(r.intValue("slowestCallMs") < 1000, r.toString());
        assertEquals(0, r.agentLinesContaining("connect attempt"), r.toString());
        assertTrue(!r.stderr.contains("not-the-password") && !r.stdout.contains("not-the-password"), r.toString());
    }

    @Test
    void whenTheServerNeverComesTheCallerGetsTheDriversErrorAndTheNextCallRetriesAfresh() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + unusedPort() + "/postgres";
        ChildJvm.Result r = agent()
                .env("DB_POOL_CONNECT_RETRIES", "2")
                .env("DB_POOL_CONNECT_BACKOFF", "100ms")
                .env("DB_POOL_CONNECT_BACKOFF_MAX", "200ms")
                .run(ConnectCalls.class, url, "app", "app-pw-5521", "1", "2");

        assertEquals("{08001=2}", r.value("outcomes"), "pgjdbc's own SQLSTATE for a refused connect\n" + r);
        assertEquals(2, r.agentLinesContaining("connect attempt 1 of 3 failed"), "one fresh sequence per call\n" + r);
        assertEquals(2, r.agentLinesContaining("connect attempt 3 of 3 failed"), r.toString());
        assertEquals(2, r.agentLinesContaining("giving up"), r.toString());
    }

    @Test
    void fiftyCallersWhileTheServerIsDownShareOneRetrySequence() throws Exception {
        try (RefusingListener down = new RefusingListener()) {
            String url = "jdbc:postgresql://127.0.0.1:" + down.port() + "/postgres?sslmode=disable&gssEncMode=disable";
            ChildJvm.Result r = agent()
                    .env("DB_POOL_CONNECT_RETRIES", "3")
                    .env("DB_POOL_CONNECT_BACKOFF", "300ms")
                    .env("DB_POOL_CONNECT_BACKOFF_MAX", "600ms")
                    .run(ConnectCalls.class, url, "app", "app-pw-5521", "50", "1");

            assertEquals("{08001=50}", r.value("outcomes"), r.toString());
            assertEquals(4, down.accepted(), "one attempt plus three retries, not 50 sequences\n" + r);
            assertEquals(1, r.agentLinesContaining("connect attempt 4 of 4 failed"), r.toString());
        }
    }

    @Test
    void aServerRestartUnderLoadHealsWithinTheAcquireTimeout() throws Exception {
        long acquireTimeoutMs = 5000;
        CompletableFuture<ChildJvm.Result> app = CompletableFuture.supplyAsync(() -> agent()
                .env("DB_MAX_OPEN_CONNS", "10")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "5s")
                .run(QueryLoop.class, pg.url(), "app", "app-pw-5521", "20", "12"));
        TimeUnit.SECONDS.sleep(4);
        pg.restart();
        long back = System.currentTimeMillis();
        ChildJvm.Result r = app.get(2, TimeUnit.MINUTES);

        int errors = 0;
        for (int t = 0; t < 20; t++) {
            String[] parts = r.value("thread" + t).split(",");
            long lastError = Long.parseLong(parts[0]);
            long lastOk = Long.parseLong(parts[1]);
            errors += Integer.parseInt(parts[2]);
            assertTrue(lastOk > back, "thread " + t + " never succeeded after the restart\n" + r);
            assertTrue(lastError < back + acquireTimeoutMs,
                    "thread " + t + " still failed " + (lastError - back) + " ms after the restart\n" + r);
        }
        System.out.println("restart under load: " + errors + " failed queries across 20 threads");
    }

    private static ChildJvm agent() {
        return ChildJvm.on(Jdks.current()).withAgent();
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
