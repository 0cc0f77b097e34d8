package io.poolagent.it;

import io.poolagent.it.apps.LedgerWriter;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresPair;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.PostgresServer.Auth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary changes under a service that writes all the time (a connection per write, the agent pooling
 * them, targetServerType=primary over both hosts): stopped with -m immediate, or turned read-only while it
 * stays up; then the standby is promoted. Replication is synchronous, so every write the service was told
 * succeeded must be on the new primary; and the pool must end on the new primary only. Times are measured by
 * {@code ./bench.sh failover}, beside a hand-written HikariCP; here only what happened counts.
 */
@Tag("slow")
class FailoverTest {

    private PostgresPair pair;
    private Path ledger;
    private Path stop;

    @BeforeEach
    void startPair() throws IOException {
        pair = PostgresPair.start(40, Auth.TRUST);
        pair.primary().execute("CREATE TABLE ledger (id bigint PRIMARY KEY)");
        ledger = Files.createTempFile("ledger", ".txt");
        stop = Files.createTempFile("ledger", ".stop");
        Files.delete(stop);
    }

    @AfterEach
    void closePair() throws IOException {
        Files.deleteIfExists(ledger);
        Files.deleteIfExists(stop);
        pair.close();
    }

    @Test
    void aCrashedPrimaryLosesNoAcknowledgedWriteAndThePoolMovesToThePromotedStandby() throws Exception {
        try (ChildJvm.Running writer = startWriter()) {
            awaitAcknowledged(pair.primary().port(), 50);
            pair.stopPrimaryImmediately();
            pair.promoteStandby();
            awaitAcknowledged(pair.standby().port(), 50);
            assertMovedOnceToTheStandby(writer);
            ChildJvm.Result r = finish(writer);
            assertEquals(1, r.agentLinesContaining("primary moved from 127.0.0.1:" + pair.primary().port()
                    + " to 127.0.0.1:" + pair.standby().port()), r.toString());
        }
        assertNoAcknowledgedWriteLost();
    }

    @Test
    void aPrimaryTurnedReadOnlyLosesNoWriteAndThePoolLeavesIt() throws Exception {
        try (ChildJvm.Running writer = startWriter()) {
            awaitAcknowledged(pair.primary().port(), 50);
            pair.makePrimaryReadOnly();
            pair.promoteStandby();
            awaitAcknowledged(pair.standby().port(), 50);
            // The old primary is still up: the pool must keep no session on it.
            pair.primary().awaitTrue("SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = '"
                    + APPLICATION + "'", 60);
            assertMovedOnceToTheStandby(writer);
            ChildJvm.Result r = finish(writer);
            assertEquals(1, r.agentLinesContaining("lost its primary 127.0.0.1:" + pair.primary().port()), r.toString());
        }
        assertNoAcknowledgedWriteLost();
    }

    private static final String APPLICATION = "ledger-writer";

    private void assertMovedOnceToTheStandby(ChildJvm.Running writer) throws IOException, InterruptedException {
        String metrics = scrape(writer, "/metrics");
        assertEquals(1, metrics.lines().filter(l -> l.startsWith("pool_agent_failovers_total{") && l.endsWith(" 1.0"))
                .count(), metrics);
        assertEquals(1, metrics.lines().filter(l -> l.startsWith("pool_agent_primary_info{")
                && l.contains("host=\"127.0.0.1:" + pair.standby().port() + "\"")).count(), metrics);
        String pools = scrape(writer, "/pools");
        assertTrue(pools.contains("\"Host\":\"127.0.0.1:" + pair.standby().port() + "\""), pools);
    }

    private ChildJvm.Running startWriter() throws IOException, InterruptedException {
        String url = pair.multiHostUrl("postgres", "ApplicationName=" + APPLICATION);
        ChildJvm.Running writer = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "8")
                .env("DB_POOL_METRICS_PORT", "0")
                .env("DB_POOL_METRICS_HOST", "127.0.0.1")
                .start(LedgerWriter.class, "agent", url, PostgresServer.SUPERUSER, "", "4", ledger.toString(),
                        stop.toString());
        writer.awaitOutputValue("started", Duration.ofSeconds(60));
        return writer;
    }

    private ChildJvm.Result finish(ChildJvm.Running writer) throws IOException, InterruptedException {
        Files.createFile(stop);
        ChildJvm.Result r = writer.finish(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode, r.toString());
        return r;
    }

    /** Waits until the ledger holds {@code count} acknowledged writes taken by the server on {@code port}. */
    private void awaitAcknowledged(int port, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (acknowledgedOn(port) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " writes acknowledged by port " + port
                        + "; the ledger's last lines:\n" + tail(Files.readAllLines(ledger)));
            }
            Thread.sleep(100);
        }
    }

    private long acknowledgedOn(int port) throws IOException {
        return Files.readAllLines(ledger).stream().filter(l -> l.startsWith("ok ") && l.endsWith(" " + port)).count();
    }

    private void assertNoAcknowledgedWriteLost() throws IOException, SQLException {
        Set<Long> stored = new HashSet<>();
        try (Connection c = pair.standby().connectAsSuperuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ledger")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        }
        List<String> lines = Files.readAllLines(ledger);
        long acknowledged = lines.stream().filter(l -> l.startsWith("ok ")).count();
        long missing = lines.stream().filter(l -> l.startsWith("ok "))
                .map(l -> Long.parseLong(l.split(" ")[1])).filter(id -> !stored.contains(id)).count();
        assertTrue(acknowledged > 100, "writes went on: " + acknowledged);
        assertEquals(0, missing, "acknowledged writes missing on the new primary, of " + acknowledged);
    }

    private static String scrape(ChildJvm.Running writer, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + writer.metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
