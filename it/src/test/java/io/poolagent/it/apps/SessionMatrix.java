package io.poolagent.it.apps;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Every way an application can change its session, one row each. A first borrower makes the change and
 * closes the connection (directly or through a statement, a result set or the metadata); a second
 * borrower reads the state back. Run with DB_MAX_OPEN_CONNS=1 so the second borrower gets the first one's
 * session unless the pool ended it. {@link #fresh} reads the same things on new sessions, for comparison.
 *
 * <p>Output, one line per row: {@code RESULT <row>=<what the second borrower saw>|reused} (or {@code |new}
 * when it got another session). Needs a role "other", a table matrix_rows(id int) and a sequence
 * matrix_seq. Args: URL USER PASSWORD
 */
public final class SessionMatrix {

    interface Sql {
        void run(Connection c) throws Exception;
    }

    interface Probe {
        String read(Connection c) throws Exception;
    }

    /** How the first borrower gives the connection back. */
    enum Close { DIRECT, STATEMENT, RESULT_SET, METADATA, NONE }

    static final class Row {
        final String name;
        final Sql change;
        final Close close;
        final Probe probe;

        Row(String name, Sql change, Close close, Probe probe) {
            this.name = name;
            this.change = change;
            this.close = close;
            this.probe = probe;
        }
    }

    public static List<String> rowNames() {
        List<String> names = new ArrayList<>();
        rows().forEach(r -> names.add(r.name));
        return names;
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("SET statement_timeout", c -> exec(c, "set statement_timeout = 1234"), Close.DIRECT,
                c -> one(c, "show statement_timeout")));
        rows.add(new Row("set_config, session", c -> one(c, "select set_config('app.tenant', '42', false)"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("set_config, local, transaction left open", c -> {
            exec(c, "begin");
            one(c, "select set_config('app.tenant', '43', true)");
        }, Close.DIRECT, SessionMatrix::tenant));
        rows.add(new Row("SET LOCAL, transaction left open", c -> {
            exec(c, "begin");
            exec(c, "set local work_mem = '7MB'");
        }, Close.DIRECT, c -> one(c, "show work_mem")));
        rows.add(new Row("SET ROLE", c -> exec(c, "set role other"), Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("SET SESSION AUTHORIZATION", c -> exec(c, "set session authorization other"), Close.DIRECT,
                c -> one(c, "select session_user || '/' || current_user")));
        rows.add(new Row("SET search_path", c -> exec(c, "set search_path to pg_catalog"), Close.DIRECT,
                c -> one(c, "show search_path")));
        rows.add(new Row("setSchema()", c -> c.setSchema("pg_catalog"), Close.DIRECT, c -> one(c, "show search_path")));
        rows.add(new Row("setCatalog()", c -> c.setCatalog("template1"), Close.DIRECT, Connection::getCatalog));
        rows.add(new Row("setReadOnly(true)", c -> c.setReadOnly(true), Close.DIRECT,
                c -> c.isReadOnly() + "/" + one(c, "show transaction_read_only")));
        rows.add(new Row("setTransactionIsolation(SERIALIZABLE)",
                c -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE), Close.DIRECT,
                c -> c.getTransactionIsolation() + "/" + one(c, "show transaction_isolation")));
        rows.add(new Row("setAutoCommit(false), insert not committed", c -> {
            c.setAutoCommit(false);
            exec(c, "insert into matrix_rows values (1)");
        }, Close.DIRECT, c -> c.getAutoCommit() + "/" + one(c, "select count(*) from matrix_rows")));
        rows.add(new Row("setClientInfo(ApplicationName)", c -> c.setClientInfo("ApplicationName", "dirty"), Close.DIRECT,
                c -> one(c, "show application_name")));
        rows.add(new Row("setHoldability(HOLD_CURSORS_OVER_COMMIT)",
                c -> c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT), Close.DIRECT,
                c -> String.valueOf(c.getHoldability())));
        rows.add(new Row("temp table", c -> exec(c, "create temp table leftover(id int)"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_class where relname = 'leftover' and relpersistence = 't'")));
        rows.add(new Row("session advisory lock", c -> one(c, "select pg_advisory_lock(42)"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")));
        rows.add(new Row("LISTEN, notification queued in the driver", c -> {
            exec(c, "listen jobs");
            exec(c, "notify jobs, 'for the first borrower only'");
        }, Close.DIRECT, c -> one(c, "select count(*) from pg_listening_channels()") + "/"
                + notifications(c.unwrap(PGConnection.class).getNotifications())));
        rows.add(new Row("cursor WITH HOLD", c -> exec(c, "declare leftover cursor with hold for select 1"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_cursors where name = 'leftover'")));
        rows.add(new Row("PREPARE", c -> exec(c, "prepare leftover_plan as select 1"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_prepared_statements where name = 'leftover_plan'")));
        rows.add(new Row("SQL BEGIN, insert not committed", c -> {
            exec(c, "begin");
            exec(c, "insert into matrix_rows values (2)");
        }, Close.DIRECT, c -> one(c, "select count(*) from matrix_rows") + "/"
                + one(c, "select coalesce(txid_current_if_assigned()::text, 'no transaction id')")));
        rows.add(new Row("COPY FROM STDIN not finished", c -> {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy matrix_rows from stdin");
            byte[] line = "3\n".getBytes(StandardCharsets.US_ASCII);
            copy.writeToCopy(line, 0, line.length);
        }, Close.DIRECT, c -> one(c, "select count(*) from matrix_rows")));
        rows.add(new Row("abort()", c -> c.abort(Runnable::run), Close.NONE, c -> one(c, "select 'connected'")));
        rows.add(new Row("nextval, then lastval() by the next borrower", c -> one(c, "select nextval('matrix_seq')"),
                Close.DIRECT, c -> one(c, "select 'defined: ' || (lastval() > 0)")));
        serverCodeRows(rows);
        oddSpellingRows(rows);
        driverConnectionRows(rows);
        outOfTurnRows(rows);
        for (Close path : new Close[] {Close.STATEMENT, Close.RESULT_SET, Close.METADATA}) {
            rows.add(new Row("SET ROLE + set_config, closed through " + closePath(path), c -> {
                exec(c, "set role other");
                one(c, "select set_config('app.tenant', '44', false)");
            }, path, c -> one(c, "select current_user") + "/" + tenant(c)));
        }
        return rows;
    }

    /** State that server-side code sets ({@link ServerCode}): nothing in the borrower's SQL shows it. */
    private static void serverCodeRows(List<Row> rows) {
        rows.add(new Row("SQL function set_tenant('42')", c -> one(c, "select set_tenant('42')"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("PL/pgSQL function", c -> one(c, "select set_tenant_plpgsql('42')"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("procedure: CALL login('42')", c -> exec(c, "call login('42')"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("BEFORE INSERT trigger", c -> exec(c, "insert into audited values (1)"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("view calling set_tenant", c -> one(c, "select tenant from tenant_view"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("rule on INSERT", c -> exec(c, "insert into ruled values (1)"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("column default", c -> exec(c, "insert into defaulted(id) values (1)"), Close.DIRECT,
                SessionMatrix::tenant));
        rows.add(new Row("DO block", c -> exec(c, "do $$ begin perform set_config('app.tenant', '42', false); end $$"),
                Close.DIRECT, SessionMatrix::tenant));
        rows.add(new Row("role set by a function", c -> one(c, "select become_other()"), Close.DIRECT,
                c -> one(c, "select current_user")));
        rows.add(new Row("search_path set by a function", c -> one(c, "select set_search_path('pg_catalog')"), Close.DIRECT,
                c -> one(c, "show search_path")));
        rows.add(new Row("advisory lock taken by a function", c -> one(c, "select take_lock(7)"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")));
        rows.add(new Row("temp table made by a function", c -> one(c, "select make_temp('fromcode')"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_class where relnamespace = pg_my_temp_schema()")));
        rows.add(new Row("PREPARE by a function", c -> one(c, "select make_prepared('fromcode')"), Close.DIRECT,
                c -> one(c, "select count(*) from pg_prepared_statements where from_sql")));
        rows.add(new Row("cursor WITH HOLD declared by a function", c -> one(c, "select hold_cursor('fromcode')"),
                Close.DIRECT, c -> one(c, "select count(*) from pg_cursors where name = 'fromcode'")));
        rows.add(new Row("LISTEN by a function, notification queued in the driver", c -> one(c, "select listen_to('fromcode')"),
                Close.DIRECT, c -> one(c, "select count(*) from pg_listening_channels()") + "/"
                        + notifications(c.unwrap(PGConnection.class).getNotifications())));
        rows.add(new Row("nextval through a serial column's default, then lastval()",
                c -> exec(c, "insert into serial_rows default values"), Close.DIRECT,
                c -> one(c, "select 'defined: ' || (lastval() > 0)")));
    }

    /** Spellings a reader of SQL text can miss; the server reads them all the same. */
    private static void oddSpellingRows(List<Row> rows) {
        rows.add(new Row("set_config(E'rol\\x65', ...)", c -> one(c, "select set_config(E'rol\\x65', 'other', false)"),
                Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("set_config(U&'rol\\0065', ...)", c -> one(c, "select set_config(U&'rol\\0065', 'other', false)"),
                Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("nested set_config('app.n', set_config('role', ...), true)",
                c -> one(c, "select set_config('app.n', set_config('role', 'other', false), true)"), Close.DIRECT,
                c -> one(c, "select current_user")));
        rows.add(new Row("SET local.tenant (a custom setting named local)", c -> exec(c, "set local.tenant = '42'"),
                Close.DIRECT, c -> custom(c, "local.tenant")));
        rows.add(new Row("SET transaction.tenant (a custom setting named transaction)",
                c -> exec(c, "set transaction.tenant = '42'"), Close.DIRECT, c -> custom(c, "transaction.tenant")));
        rows.add(new Row("set role after a comment ended by a carriage return",
                c -> exec(c, "select 1; --\rset role other"), Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("SET of a custom setting with a non-ASCII name", c -> exec(c, "set \"app.tenänt\" = '42'"), Close.DIRECT,
                c -> custom(c, "app.tenänt")));
        rows.add(new Row("SET with the name in a U& identifier", c -> exec(c, "set U&\"app.tenan\\0074\" = '42'"),
                Close.DIRECT, SessionMatrix::tenant));
    }

    /**
     * The driver's own connection reached from HikariCP's statement, result set and metadata: what is done to it
     * there, the pool does not see. The next borrower writes with auto-commit on; another session must see it.
     */
    private static void driverConnectionRows(List<Row> rows) {
        rows.add(new Row("driver connection from a statement: setAutoCommit(false)", c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("select 1")) {
                ((Statement) ps.unwrap(org.postgresql.PGStatement.class)).getConnection().setAutoCommit(false);
            }
        }, Close.DIRECT, SessionMatrix::autoCommittedWriteIsVisible));
        rows.add(new Row("driver connection from a result set: SET ROLE", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                exec(rs.unwrap(ResultSet.class).getStatement().getConnection(), "set role other");
            }
        }, Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("driver connection from the metadata: LISTEN", c -> {
            Connection driver = c.getMetaData().unwrap(java.sql.DatabaseMetaData.class).getConnection();
            exec(driver, "listen fromdriver");
            exec(driver, "notify fromdriver, 'for this borrower only'");
        }, Close.DIRECT, c -> one(c, "select count(*) from pg_listening_channels()") + "/"
                + notifications(c.unwrap(PGConnection.class).getNotifications())));
    }

    /** Objects an application keeps after it gave their connection back, and request marks it makes itself. */
    private static void outOfTurnRows(List<Row> rows) {
        rows.add(new Row("driver connection from an Array's result set: setAutoCommit(false)", c -> {
            java.sql.Array array = c.createArrayOf("int4", new Object[] {1});
            try (ResultSet rs = array.getResultSet()) {
                rs.getStatement().getConnection().setAutoCommit(false);
            }
        }, Close.DIRECT, SessionMatrix::autoCommittedWriteIsVisible));
        rows.add(new Row("unwrap(Connection.class) kept and used after close", c -> kept = c.unwrap(Connection.class),
                Close.DIRECT, c -> tryToChangeRoleThroughKept(() -> kept) + one(c, "select current_user")));
        rows.add(new Row("metadata kept, unwrapped after close", c -> keptMetaData = c.getMetaData(), Close.DIRECT,
                c -> tryToChangeRoleThroughKept(() -> keptMetaData.unwrap(java.sql.DatabaseMetaData.class).getConnection())
                        + one(c, "select current_user")));
        rows.add(new Row("beginRequest() by the application after SET ROLE", c -> {
            exec(c, "set role other");
            c.beginRequest();
        }, Close.DIRECT, c -> one(c, "select current_user")));
        rows.add(new Row("endRequest() by the application, then SET ROLE", c -> {
            c.endRequest();
            exec(c, "set role other");
        }, Close.DIRECT, c -> one(c, "select current_user")));
    }

    private static Connection kept;
    private static java.sql.DatabaseMetaData keptMetaData;

    /** "" when the kept object could not reach the session any more, "reached, " when it could. */
    private static String tryToChangeRoleThroughKept(KeptConnection keptConnection) {
        try {
            exec(keptConnection.get(), "set role other");
            return "reached, ";
        } catch (Exception refused) {
            return "";
        }
    }

    interface KeptConnection {
        Connection get() throws Exception;
    }

    /**
     * The borrower's auto-commit INSERT is acknowledged; "visible" when another session (another pool: the URL
     * differs) counts it, which only a committed row allows.
     */
    private static String autoCommittedWriteIsVisible(Connection c) throws SQLException {
        int marker = (int) (System.nanoTime() & 0x3fffffff);
        int acknowledged;
        try (java.sql.PreparedStatement insert = c.prepareStatement("insert into written_rows values (?)")) {
            insert.setInt(1, marker);
            acknowledged = insert.executeUpdate();
        }
        String seen;
        try (Connection other = DriverManager.getConnection(witnessUrl, user, password)) {
            seen = one(other, "select count(*) from written_rows where id = " + marker);
        }
        return c.getAutoCommit() + "/acknowledged " + acknowledged + "/seen by another session " + seen;
    }

    /** Where the witness of a write connects: the same server and user, another pool. */
    private static String witnessUrl;
    private static String user;
    private static String password;

    private static void witness(String url, String user, String password) {
        SessionMatrix.witnessUrl = url + (url.contains("?") ? "&" : "?") + "ApplicationName=witness";
        SessionMatrix.user = user;
        SessionMatrix.password = password;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        witness(url, args[1], args[2]);
        System.out.println("RESULT statementConnectionIsTheHandle=" + statementKnowsItsConnection(url, args[1], args[2]));
        preparedStatementsAcrossBorrows(url, args[1], args[2]);
        keptStatementsFollowTheSession(url, args[1], args[2]);
        for (Row row : rows()) {
            System.out.println("RESULT " + row.name + "=" + run(row, url, args[1], args[2]));
        }
    }

    /** What a new session shows for each row, without any change made before. */
    public static Map<String, String> fresh(String url, String user, String password) throws Exception {
        witness(url, user, password);
        Map<String, String> values = new LinkedHashMap<>();
        for (Row row : rows()) {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                values.put(row.name, read(row.probe, c));
            }
        }
        return values;
    }

    private static String run(Row row, String url, String user, String password) throws Exception {
        int firstPid;
        try (Connection before = DriverManager.getConnection(url, user, password)) {
            // Read in a borrow of its own, so that the change alone decides whether its borrower reached the server.
            firstPid = pid(before);
        }
        Connection first = DriverManager.getConnection(url, user, password);
        String failed = null;
        try {
            row.change.run(first);
        } catch (Exception e) {
            failed = "change failed: " + e;
        }
        close(first, failed == null ? row.close : Close.DIRECT);
        if (failed != null) {
            return failed;
        }
        try (Connection next = DriverManager.getConnection(url, user, password)) {
            int nextPid = pid(next);
            String seen = read(row.probe, next);
            // End this session, so that a mode that leaks cannot spill one row's state into the next row.
            next.abort(Runnable::run);
            return seen + "|" + (nextPid == firstPid ? "reused" : "new");
        } catch (SQLException e) {
            return "no connection: SQLSTATE " + e.getSQLState();
        }
    }

    private static boolean statementKnowsItsConnection(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1")) {
            return s.getConnection() == c && rs.getStatement().getConnection() == c
                    && c.prepareStatement("select 1").getConnection() == c && c.getMetaData().getConnection() == c;
        }
    }

    /**
     * Two borrowers run the same prepared statement past pgjdbc's prepareThreshold (5), so the server holds
     * it as a named statement. Reports whether it was still there for the second borrower (kept unless a
     * reset deallocated it) and that every run answered correctly (pgjdbc re-prepares after DISCARD ALL).
     */
    private static void preparedStatementsAcrossBorrows(String url, String user, String password) throws SQLException {
        int correct = 0;
        String kept;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            correct += preparedRuns(c);
        }
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            kept = one(c, "select count(*) from pg_prepared_statements where statement like 'select $1::int + 1%'");
            correct += preparedRuns(c);
            c.abort(Runnable::run);
        }
        System.out.println("RESULT serverPreparedStatementKept=" + kept);
        System.out.println("RESULT preparedRunsCorrect=" + correct);
    }

    /**
     * A statement that pgjdbc prepared on the server under one search_path (or role) and that a reset kept, run by
     * the next borrower under the default search_path (or role): PostgreSQL must plan it again, so it reads the
     * next borrower's table (rows), never the first one's. Reports what the second borrower's ten runs read.
     */
    private static void keptStatementsFollowTheSession(String url, String user, String password) throws SQLException {
        System.out.println("RESULT keptStatementFollowsSearchPath=" + readTwice(url, user, password,
                "set search_path = s1, public", "select v from which"));
        System.out.println("RESULT keptStatementFollowsRole=" + readTwice(url, user, password,
                "set role other", "select count(*) from owned_rows"));
    }

    /** First borrower: {@code change}, then {@code query} ten times; second borrower: the query ten times. */
    private static String readTwice(String url, String user, String password, String change, String query)
            throws SQLException {
        String first;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            exec(c, change);
            first = tenRuns(c, query);
        }
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            String kept = one(c, "select count(*) from pg_prepared_statements where statement = '" + query + "'");
            String second = tenRuns(c, query);
            c.abort(Runnable::run);
            return first + " then " + second + " (prepared on the server for the second: " + kept + ")";
        }
    }

    private static String tenRuns(Connection c, String query) throws SQLException {
        java.util.Set<String> answers = new java.util.TreeSet<>();
        try (java.sql.PreparedStatement p = c.prepareStatement(query)) {
            for (int i = 0; i < 10; i++) {
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    answers.add(rs.getString(1));
                }
            }
        }
        return String.join("+", answers);
    }

    private static int preparedRuns(Connection c) throws SQLException {
        int correct = 0;
        try (java.sql.PreparedStatement p = c.prepareStatement("select ?::int + 1")) {
            for (int i = 0; i < 10; i++) {
                p.setInt(1, i);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    correct += rs.getInt(1) == i + 1 ? 1 : 0;
                }
            }
        }
        return correct;
    }

    private static void close(Connection c, Close path) throws SQLException {
        switch (path) {
            case DIRECT:
                c.close();
                break;
            case STATEMENT:
                c.createStatement().getConnection().close();
                break;
            case RESULT_SET:
                c.createStatement().executeQuery("select 1").getStatement().getConnection().close();
                break;
            case METADATA:
                c.getMetaData().getConnection().close();
                break;
            default:
                break;
        }
    }

    static String closePath(Close path) {
        switch (path) {
            case STATEMENT: return "statement.getConnection()";
            case RESULT_SET: return "resultSet.getStatement().getConnection()";
            default: return "getMetaData().getConnection()";
        }
    }

    /** The probe's answer, or the SQLSTATE it failed with (itself part of what a borrower would see). */
    private static String read(Probe probe, Connection c) {
        try {
            return probe.read(c);
        } catch (SQLException e) {
            return "error " + e.getSQLState();
        } catch (Exception e) {
            return "error " + e;
        }
    }

    private static String tenant(Connection c) throws SQLException {
        String value = one(c, "select coalesce(current_setting('app.tenant', true), 'NULL')");
        return value.isEmpty() ? "''" : value;
    }

    private static String custom(Connection c, String name) throws SQLException {
        try (java.sql.PreparedStatement p = c.prepareStatement("select coalesce(current_setting(?, true), 'NULL')")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getString(1).isEmpty() ? "''" : rs.getString(1);
            }
        }
    }

    private static String notifications(Object[] pending) {
        return (pending == null ? 0 : pending.length) + " pending";
    }

    private static int pid(Connection c) throws SQLException {
        return Integer.parseInt(one(c, "select pg_backend_pid()"));
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
