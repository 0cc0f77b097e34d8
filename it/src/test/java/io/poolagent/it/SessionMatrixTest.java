package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.SessionMatrix;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The application was written for fresh connections: whatever one request does to its session, the next
 * must not notice that the session is reused. Each row of {@link SessionMatrix} changes the session one
 * way, and the next borrower of a one-connection pool reads it back; this compares what it saw with what
 * a new session shows, in every reset mode, and prints the matrix the README shows.
 */
class SessionMatrixTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .sql("CREATE ROLE other", "CREATE TABLE matrix_rows(id int)", "CREATE SEQUENCE matrix_seq",
                    "GRANT ALL ON matrix_rows TO other");

    private static final String USER = PostgresServer.SUPERUSER;

    /**
     * PostgreSQL keeps a custom setting's name defined, empty, for the rest of a session once anything set
     * it, even after RESET ALL or DISCARD ALL: current_setting('app.tenant', true) then says '' where a new
     * session says NULL. The value itself never survives. No reset short of a new session removes the name.
     */
    private static final String PLACEHOLDER_RESIDUE = "''";

    private static Map<String, String> fresh;
    private static final Map<String, Map<String, String>> SEEN = new LinkedHashMap<>();

    @BeforeAll
    static void readFreshSessions() throws Exception {
        fresh = SessionMatrix.fresh(PG.url(), USER, "");
    }

    static Stream<Arguments> modesAndJdks() {
        return Stream.concat(Jdks.all().map(jdk -> Arguments.of("tracked", jdk)),
                Stream.of(Arguments.of("discard", Jdks.current()), Arguments.of("off", Jdks.current())));
    }

    @ParameterizedTest(name = "DB_POOL_RESET={0} on {1}")
    @MethodSource("modesAndJdks")
    void theNextBorrowerSeesWhatAFreshSessionWouldShow(String mode, Path jdk) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent()
                .env("DB_POOL_RESET", mode)
                .env("DB_MAX_OPEN_CONNS", "1")
                .env("DB_MAX_IDLE_CONNS", "1")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "5s")
                .run(SessionMatrix.class, PG.url(), USER, "");
        assertEquals(0, r.exitCode, r.toString());
        assertEquals("true", r.value("statementConnectionIsTheHandle"),
                "statement, result set and metadata lead back to the connection the app holds\n" + r);
        assertEquals(20, r.intValue("preparedRunsCorrect"), r.toString());
        assertEquals(mode.equals("discard") ? "0" : "1", r.value("serverPreparedStatementKept"),
                "only DISCARD ALL drops the server-side prepared statements of a session that changed nothing\n" + r);

        Map<String, String> seen = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        for (String row : SessionMatrix.rowNames()) {
            String value = r.value(row);
            seen.put(row, value);
            String expected = expected(mode, row);
            String actual = value.substring(0, value.lastIndexOf('|'));
            if (!expected.equals(actual)) {
                wrong.add(row + ": expected '" + expected + "' (fresh: '" + fresh.get(row) + "'), the next borrower saw '"
                        + actual + "'");
            }
        }
        SEEN.putIfAbsent(mode, seen);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n" + r);
    }

    /** What the next borrower must see: a fresh session's answer, except where the README says otherwise. */
    private static String expected(String mode, String row) {
        String clean = fresh.get(row);
        boolean placeholder = row.startsWith("set_config") || row.contains("closed through");
        if (mode.equals("off")) {
            return OFF_LEAKS.getOrDefault(row, clean);
        }
        if (placeholder) {
            return row.contains("closed through") ? USER + "/" + PLACEHOLDER_RESIDUE : PLACEHOLDER_RESIDUE;
        }
        return clean;
    }

    /** DB_POOL_RESET=off keeps server-side state for the next borrower by design; the README lists it. */
    private static final Map<String, String> OFF_LEAKS = Map.ofEntries(
            Map.entry("SET statement_timeout", "1234ms"),
            Map.entry("set_config, session", "42"),
            Map.entry("set_config, local, transaction left open", PLACEHOLDER_RESIDUE),
            Map.entry("SET ROLE", "other"),
            Map.entry("SET SESSION AUTHORIZATION", "other/other"),
            Map.entry("SET search_path", "pg_catalog"),
            Map.entry("temp table", "1"),
            Map.entry("session advisory lock", "1"),
            Map.entry("LISTEN, notification queued in the driver", "1/1 pending"),
            Map.entry("cursor WITH HOLD", "1"),
            Map.entry("PREPARE", "1"),
            Map.entry("nextval, then lastval() by the next borrower", "defined: true"),
            Map.entry("SET ROLE + set_config, closed through statement.getConnection()", "other/44"),
            Map.entry("SET ROLE + set_config, closed through resultSet.getStatement().getConnection()", "other/44"),
            Map.entry("SET ROLE + set_config, closed through getMetaData().getConnection()", "other/44"));

    /** The README's matrix, from this run. */
    @AfterAll
    static void printMatrix() {
        StringBuilder table = new StringBuilder("\n| kind of state | fresh session |");
        SEEN.keySet().forEach(mode -> table.append(" `").append(mode).append("` |"));
        table.append("\n|---|---|").append("---|".repeat(SEEN.size())).append('\n');
        for (String row : SessionMatrix.rowNames()) {
            table.append("| ").append(row).append(" | ").append(fresh.get(row)).append(" |");
            for (Map<String, String> seen : SEEN.values()) {
                String value = seen.getOrDefault(row, "");
                int bar = value.lastIndexOf('|');
                table.append(' ').append(bar < 0 ? value : value.substring(0, bar)
                        + (value.endsWith("|new") ? " (new session)" : "")).append(" |");
            }
            table.append('\n');
        }
        System.out.println(table);
    }
}
