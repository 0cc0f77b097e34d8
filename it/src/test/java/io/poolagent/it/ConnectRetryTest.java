package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectCalls;
import io.poolagent.it.apps.QueryLoop;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.RefusingListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pod that starts before its database: the first connect is retried with backoff, once per pool. */
@Tag("slow")
class ConnectRetryTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(40, PostgresServer.Auth.SCRAM)
            .role("app", "app-pw-5521");

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
        ChildJvm.Result r = agent().run(ConnectCalls.class, PG.url(), "app", "not-the-password", "1", "1");

        assertEquals("{28P01=1}", r.value("outcomes"), r.toString());
        assertEquals(0, r.agentLinesContaining("connect attempt"), "a permanent error is never retried\n" + r);
        assertTrue(!r.stderr.contains("not-the-password") && !r.stdout.contains("not-the-password"), r.toString());
    }

    @Test
    void whenTheServerNeverComesTheCallerGetsTheDriversErrorAndTheNextCallRetriesAfresh() throws Exception {
        ChildJvm.Result r;
        try (Socket closedPort = reservedPort()) {
            String url = "jdbc:postgresql://127.0.0.1:" + closedPort.getLocalPort() + "/postgres";
            r = agent()
                    .env("DB_POOL_CONNECT_RETRIES", "2")
                    .env("DB_POOL_CONNECT_BACKOFF", "100ms")
                    .env("DB_POOL_CONNECT_BACKOFF_MAX", "200ms")
                    .run(ConnectCalls.class, url, "app", "app-pw-5521", "1", "2");
        }

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
    void aServerRestartUnderLoadHeals() throws Exception {
        CompletableFuture<ChildJvm.Result> app = CompletableFuture.supplyAsync(() -> agent()
                .env("DB_MAX_OPEN_CONNS", "10")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "5s")
                .run(QueryLoop.class, PG.url(), "app", "app-pw-5521", "20", "12"));
        TimeUnit.SECONDS.sleep(4);
        PG.server().restart();
        long back = System.currentTimeMillis();
        ChildJvm.Result r = app.get(2, TimeUnit.MINUTES);

        int errors = 0;
        for (int t = 0; t < 20; t++) {
            String[] parts = r.value("thread" + t).split(",");
            long lastError = Long.parseLong(parts[0]);
            long lastOk = Long.parseLong(parts[1]);
            errors += Integer.parseInt(parts[2]);
            assertTrue(lastOk > back, "thread " + t + " never succeeded after the restart\n" + r);
            assertTrue(lastOk > lastError, "thread " + t + " ended on a failure\n" + r);
        }
        System.out.println("restart under load: " + errors + " failed queries across 20 threads");
    }

    private static ChildJvm agent() {
        return ChildJvm.on(Jdks.current()).withAgent();
    }

    /** A port the OS gave us, held by a socket that never listens: every connect to it is refused. */
    private static Socket reservedPort() throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return socket;
    }
}
