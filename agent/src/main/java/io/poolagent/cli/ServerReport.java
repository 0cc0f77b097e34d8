package io.poolagent.cli;

import io.poolagent.log.AgentLog;
import io.poolagent.session.SqlTokens;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's monitoring queries against {@code pg_stat_activity}, as tables. Only client backends count
 * (not autovacuum, walsender, background workers), and never the doctor's own session. All queries run in
 * one read-only transaction, so that they all see the same snapshot of the server's activity and the
 * tables add up.
 */
final class ServerReport {

    private static final String CLIENTS = " FROM pg_stat_activity"
            + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    /** reserved_connections is PostgreSQL 16's; current_setting(name, true) gives null where it does not exist. */
    private static final String OVERVIEW = "SELECT current_setting('server_version'),"
            + " current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int,"
            + " current_setting('reserved_connections', true)::int, (SELECT count(*)" + CLIENTS + "),"
            + " pg_has_role('pg_read_all_stats', 'MEMBER')";
    private static final String USER = "coalesce(usename, '-')";
    private static final String APPLICATION = "coalesce(nullif(application_name, ''), '-')";
    /** No address: a client on the server's Unix socket. */
    private static final String CLIENT = "coalesce(host(client_addr), 'local')";
    /** Another role's session shows no state (nor query) to a role without pg_read_all_stats. */
    private static final String STATE = "coalesce(state, '(hidden)')";
    private static final String SECONDS_SINCE = "extract(epoch from clock_timestamp() - %s)::float8";

    private static final int QUERY_CHARACTERS = 60;

    private final Connection connection;

    ServerReport(Connection connection) {
        this.connection = connection;
    }

    /** Runs every query first, then prints: a failing query leaves no half report. */
    void print(PrintStream out, String target) throws SQLException {
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
        try {
            List<String> lines = new ArrayList<>();
            overview(lines, target);
            section(lines, "Sessions by database", table(
                    "SELECT coalesce(datname, '-'), count(*)" + CLIENTS + " GROUP BY 1 ORDER BY 2 DESC, 1",
                    ServerReport::strings, "database", "sessions"));
            section(lines, "Sessions by state", table(
                    "SELECT " + STATE + ", count(*)" + CLIENTS + " GROUP BY 1 ORDER BY 2 DESC, 1",
                    ServerReport::strings, "state", "sessions"));
            section(lines, "Sessions by user, application and client (who holds the connections)", table(
                    "SELECT " + USER + ", " + APPLICATION + ", " + CLIENT + ", " + STATE + ", count(*)" + CLIENTS
                            + " GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 1, 2, 3, 4",
                    ServerReport::strings, "user", "application", "client", "state", "sessions"));
            section(lines, "Idle in a transaction, oldest first (each holds a connection and its locks)", table(
                    "SELECT pid, " + USER + ", " + APPLICATION + ", " + CLIENT + ", "
                            + String.format(SECONDS_SINCE, "state_change") + ", "
                            + String.format(SECONDS_SINCE, "xact_start") + CLIENTS
                            + " AND state LIKE 'idle in transaction%' ORDER BY state_change, pid",
                    row -> new Object[] {row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            duration(row.getDouble(5)), duration(row.getDouble(6))},
                    "pid", "user", "application", "client", "idle for", "transaction open for"));
            section(lines, "Longest-running active queries (top 10)", table(
                    "SELECT pid, " + USER + ", " + APPLICATION + ", " + String.format(SECONDS_SINCE, "query_start")
                            + ", query" + CLIENTS + " AND state = 'active' ORDER BY query_start, pid LIMIT 10",
                    row -> new Object[] {row.getString(1), row.getString(2), row.getString(3),
                            duration(row.getDouble(4)), oneLine(row.getString(5), QUERY_CHARACTERS)},
                    "pid", "user", "application", "running for", "query"));
            lines.forEach(out::println);
        } finally {
            connection.rollback();
        }
    }

    private void overview(List<String> lines, String target) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(OVERVIEW)) {
            row.next();
            int max = row.getInt(2);
            int superuserReserved = row.getInt(3);
            Integer reserved = (Integer) row.getObject(4); // null before PostgreSQL 16
            int inUse = row.getInt(5);
            int open = max - superuserReserved - (reserved == null ? 0 : reserved);
            lines.add("pool-agent doctor: " + target + ", PostgreSQL " + row.getString(1));
            Table table = new Table("", "", "")
                    .row("max_connections", max)
                    .row("reserved", max - open, "superuser_reserved_connections " + superuserReserved
                            + (reserved == null ? "" : ", reserved_connections " + reserved))
                    .row("client sessions", inUse, percent(inUse, open) + " of the " + open
                            + " open to clients; this doctor's own not counted")
                    .row("left", open - inUse, "for new client sessions");
            section(lines, "Connections", table);
            if (!row.getBoolean(6)) {
                lines.add("(This role sees other roles' sessions without their state or query: grant it"
                        + " pg_read_all_stats, or run as a superuser, to see them.)");
            }
        }
    }

    private static String percent(int part, int whole) {
        return whole <= 0 ? "all" : Math.round(100.0 * part / whole) + "%";
    }

    private static void section(List<String> lines, String title, Table table) {
        lines.add("");
        lines.add(title);
        if (table.isEmpty()) {
            lines.add("  (none)");
            return;
        }
        lines.addAll(table.lines("  "));
    }

    /** One row of a result, as the cells of a table row. */
    private interface RowReader {
        Object[] read(ResultSet row) throws SQLException;
    }

    private Table table(String sql, RowReader reader, String... headers) throws SQLException {
        Table table = new Table(headers);
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                table.row(reader.read(rows));
            }
        }
        return table;
    }

    private static Object[] strings(ResultSet row) throws SQLException {
        Object[] cells = new Object[row.getMetaData().getColumnCount()];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = row.getString(i + 1);
        }
        return cells;
    }

    /** 350ms, 12s, 3m05s, 2h10m, 3d04h: as long as it needs to be and no longer. */
    static String duration(double seconds) {
        long millis = Math.max(0, Math.round(seconds * 1000));
        long s = millis / 1000;
        if (s == 0) {
            return millis + "ms";
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + twoDigits(s % 60) + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h" + twoDigits(s / 60 % 60) + "m";
        }
        return s / 86400 + "d" + twoDigits(s / 3600 % 24) + "h";
    }

    private static String twoDigits(long n) {
        return n < 10 ? "0" + n : String.valueOf(n);
    }

    /**
     * A query on one line, its whitespace runs collapsed, every literal and comment blanked by the agent's SQL
     * lexer (another session's SQL may carry a password, and this output lands in terminals and exec logs),
     * control characters (a terminal's escape sequences) shown as '?', cut after {@code max} characters.
     */
    static String oneLine(String query, int max) {
        String line = query == null ? ""
                : AgentLog.collapseWhitespace(SqlTokens.blanked(query)).replaceAll("\\p{Cntrl}", "?").trim();
        return line.length() <= max ? line : line.substring(0, max).stripTrailing() + "...";
    }
}
