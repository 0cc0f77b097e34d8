package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ServerCode;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The application was written for fresh connections: whatever one request does to its session, the next
 * must not notice that the session is reused. Each row of {@link SessionMatrix} changes the session one
 * way, and the next borrower of a one-connection pool reads it back; this compares what it saw with what
 * a new session shows, in every reset mode, and prints the matrix docs/session-reset.md shows.
 */
@Tag("slow")
class SessionMatrixTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST).sql(ServerCode.SETUP);

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
        return Stream.concat(Jdks.all().map(jdk -> Arguments.of("full", jdk)), Stream.of(Arguments.of("discard",
                Jdks.current()), Arguments.of("tracked", Jdks.current()), Arguments.of("off", Jdks.current())));
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

        if (!mode.equals("off")) {
            assertEquals("s1 then public (prepared on the server for the second: " + (mode.equals("full") ? 1 : 0) + ")",
                    r.value("keptStatementFollowsSearchPath"), "a kept statement reads the next borrower's table\n" + r);
            // tracked undoes SET ROLE without DISCARD ALL, so its statements stay too
            assertEquals("1 then 3 (prepared on the server for the second: " + (mode.equals("discard") ? 0 : 1) + ")",
                    r.value("keptStatementFollowsRole"), "a kept statement reads the next borrower's rows\n" + r);
        }
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
            // The default must reset what it can: a session replaced instead would hide a reset that fails.
            String session = value.substring(value.lastIndexOf('|') + 1);
            String expectedSession = CLOSED_AT_RETURN.contains(row) ? "new" : "reused";
            if (mode.equals("full") && !session.equals(expectedSession)) {
                wrong.add(row + ": expected the " + expectedSession + " session, got the " + session + " one");
            }
        }
        SEEN.putIfAbsent(mode, seen);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n" + r);
    }

    /** What the next borrower must see: a fresh session's answer, except where docs/session-reset.md says not. */
    private static String expected(String mode, String row) {
        String clean = fresh.get(row);
        if (mode.equals("off")) {
            return OFF_LEAKS.getOrDefault(row, TRACKED_LEAKS.getOrDefault(row, clean));
        }
        if (mode.equals("tracked") && TRACKED_LEAKS.containsKey(row)) {
            return TRACKED_LEAKS.get(row);
        }
        if (row.startsWith("set_config") && !row.contains("rol")) {
            return PLACEHOLDER_RESIDUE;
        }
        if (CUSTOM_SETTING_ROWS.contains(row)) {
            return row.contains("closed through") ? USER + "/" + PLACEHOLDER_RESIDUE : PLACEHOLDER_RESIDUE;
        }
        return clean;
    }

    /** Sessions the default closes at return instead of resetting them: every other one it must reset and reuse. */
    private static final java.util.Set<String> CLOSED_AT_RETURN = java.util.Set.of(
            "COPY FROM STDIN not finished", "abort()",
            "driver connection from a statement: setAutoCommit(false)",
            "driver connection from a result set: SET ROLE",
            "driver connection from the metadata: LISTEN",
            "driver connection from an Array's result set: setAutoCommit(false)",
            "unwrap(Connection.class) kept and used after close");

    /** Rows that set a custom setting: the name stays defined, empty (see {@link #PLACEHOLDER_RESIDUE}). */
    private static final java.util.Set<String> CUSTOM_SETTING_ROWS = java.util.Set.of(
            "SQL function set_tenant('42')", "PL/pgSQL function", "procedure: CALL login('42')", "BEFORE INSERT trigger",
            "view calling set_tenant", "rule on INSERT", "column default", "DO block",
            "SET local.tenant (a custom setting named local)",
            "SET transaction.tenant (a custom setting named transaction)",
            "SET of a custom setting with a non-ASCII name", "SET with the name in a U& identifier",
            "SET ROLE + set_config, closed through statement.getConnection()",
            "SET ROLE + set_config, closed through resultSet.getStatement().getConnection()",
            "SET ROLE + set_config, closed through getMetaData().getConnection()");

    /**
     * What DB_POOL_RESET=tracked lets through, as docs/session-reset.md says: it reads the borrower's SQL text,
     * so state that server-side code sets, and spellings its reader does not follow, reach the next borrower.
     */
    private static final Map<String, String> TRACKED_LEAKS = Map.ofEntries(
            Map.entry("SQL function set_tenant('42')", "42"),
            Map.entry("PL/pgSQL function", "42"),
            Map.entry("procedure: CALL login('42')", "42"),
            Map.entry("BEFORE INSERT trigger", "42"),
            Map.entry("view calling set_tenant", "42"),
            Map.entry("rule on INSERT", "42"),
            Map.entry("column default", "42"),
            Map.entry("role set by a function", "other"),
            Map.entry("search_path set by a function", "pg_catalog"),
            Map.entry("advisory lock taken by a function", "1"),
            Map.entry("temp table made by a function", "1"),
            Map.entry("PREPARE by a function", "1"),
            Map.entry("cursor WITH HOLD declared by a function", "1"),
            Map.entry("LISTEN by a function, notification queued in the driver", "1/1 pending"),
            Map.entry("nextval through a serial column's default, then lastval()", "defined: true"),
            Map.entry("set_config(E'rol\\x65', ...)", "other"),
            Map.entry("nested set_config('app.n', set_config('role', ...), true)", "other"),
            Map.entry("SET local.tenant (a custom setting named local)", "42"),
            Map.entry("SET transaction.tenant (a custom setting named transaction)", "42"),
            Map.entry("set role after a comment ended by a carriage return", "other"));

    /** DB_POOL_RESET=off keeps server-side state for the next borrower by design; docs/session-reset.md lists it. */
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
            Map.entry("SET ROLE + set_config, closed through getMetaData().getConnection()", "other/44"),
            Map.entry("DO block", "42"),
            Map.entry("beginRequest() by the application after SET ROLE", "other"),
            Map.entry("endRequest() by the application, then SET ROLE", "other"),
            Map.entry("set_config(U&'rol\\0065', ...)", "other"),
            Map.entry("SET of a custom setting with a non-ASCII name", "42"),
            Map.entry("SET with the name in a U& identifier", "42"));

    /** The matrix of docs/session-reset.md, from this run. */
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
