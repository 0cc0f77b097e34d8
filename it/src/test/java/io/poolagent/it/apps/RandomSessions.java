package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/**
 * Random sequences of borrows that change their session, each drawn from a grammar of the ways a service can
 * (SQL, JDBC calls, server-side code, odd spellings, the driver's own connection), then one more borrower that
 * compares its session's {@link SessionFingerprint} with a fresh session's and checks that its auto-commit write
 * is committed. Run with DB_MAX_OPEN_CONNS=1, so every borrower gets the one session the others used.
 *
 * <p>The fresh session is the pool's first, read before anything else ran on it. Args: URL USER PASSWORD SEED
 * SEQUENCES. Output: {@code RESULT sequences=N},
 * {@code RESULT mismatches=N}, and for the first few mismatches the seed, the sequence and what differed.
 * Needs {@link ServerCode#SETUP}.
 */
public final class RandomSessions {

    interface Action {
        void run(Connection c, int n) throws Exception;
    }

    /** One kind of change; {@code n} makes names and values differ between draws. */
    static final class Op {
        final String name;
        final Action action;

        Op(String name, Action action) {
            this.name = name;
            this.action = action;
        }
    }

    static final List<Op> GRAMMAR = grammar();

    private static List<Op> grammar() {
        List<Op> ops = new ArrayList<>();
        // SQL the borrower sends itself
        sql(ops, "SET statement_timeout", "set statement_timeout = %d000");
        sql(ops, "SET work_mem", "set work_mem = '%dMB'");
        sql(ops, "SET search_path", "set search_path = s1, public");
        sql(ops, "set_config session", "select set_config('app.tenant', '%d', false)");
        sql(ops, "BEGIN + set_config local", "begin; select set_config('app.tenant', '%d', true)");
        sql(ops, "SET local.tenant", "set local.tenant = '%d'");
        sql(ops, "SET transaction.tenant", "set transaction.tenant = '%d'");
        sql(ops, "SET non-ASCII custom name", "set \"app.tenänt\" = '%d'");
        sql(ops, "SET U& identifier", "set U&\"app.tenan\\0074\" = '%d'");
        sql(ops, "SET ROLE", "set role other");
        sql(ops, "SET SESSION AUTHORIZATION", "set session authorization other");
        sql(ops, "BEGIN left open", "begin");
        sql(ops, "BEGIN + INSERT left open", "begin; insert into matrix_rows values (%d)");
        sql(ops, "temp table", "create temp table if not exists t%d(id int)");
        sql(ops, "advisory lock", "select pg_try_advisory_lock(%d)");
        sql(ops, "cursor WITH HOLD", "declare c%d cursor with hold for select 1");
        sql(ops, "PREPARE", "prepare p%d as select 1");
        sql(ops, "LISTEN + NOTIFY", "listen ch%1$d; notify ch%1$d, 'for this borrower only'");
        sql(ops, "nextval", "select nextval('matrix_seq')");
        sql(ops, "SET SESSION CHARACTERISTICS", "set session characteristics as transaction isolation level serializable");
        sql(ops, "SET default_transaction_read_only", "set default_transaction_read_only = on");
        sql(ops, "comment ended by CR", "select %d; --\rset role other");
        sql(ops, "set_config E'' name", "select set_config(E'rol\\x65', 'other', false)");
        sql(ops, "set_config U&'' name", "select set_config(U&'rol\\0065', 'other', false)");
        sql(ops, "nested set_config", "select set_config('app.n', set_config('role', 'other', false), true)");
        // server-side code
        sql(ops, "SQL function", "select set_tenant('%d')");
        sql(ops, "PL/pgSQL function", "select set_tenant_plpgsql('%d')");
        sql(ops, "procedure", "call login('%d')");
        sql(ops, "trigger", "insert into audited values (%d)");
        sql(ops, "view", "select tenant from tenant_view");
        sql(ops, "rule", "insert into ruled values (%d)");
        sql(ops, "column default", "insert into defaulted(id) values (%d)");
        sql(ops, "serial default", "insert into serial_rows default values");
        sql(ops, "DO block", "do $$ begin perform set_config('app.tenant', '%d', false); perform pg_try_advisory_lock(%1$d);"
                + " end $$");
        sql(ops, "role from a function", "select become_other()");
        sql(ops, "search_path from a function", "select set_search_path('pg_catalog')");
        sql(ops, "lock from a function", "select take_lock(%d)");
        sql(ops, "temp table from a function", "select make_temp('f%d')");
        sql(ops, "PREPARE from a function", "select make_prepared('f%d')");
        sql(ops, "held cursor from a function", "select hold_cursor('f%d')");
        sql(ops, "LISTEN from a function", "select listen_to('f%d')");
        // JDBC calls
        ops.add(new Op("setAutoCommit(false) + INSERT", (c, n) -> {
            c.setAutoCommit(false);
            exec(c, "insert into matrix_rows values (" + n + ")");
        }));
        ops.add(new Op("setReadOnly(true)", (c, n) -> c.setReadOnly(true)));
        ops.add(new Op("setTransactionIsolation", (c, n) -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE)));
        ops.add(new Op("setSchema", (c, n) -> c.setSchema("pg_catalog")));
        ops.add(new Op("setClientInfo", (c, n) -> c.setClientInfo("ApplicationName", "dirty" + n)));
        ops.add(new Op("setHoldability", (c, n) -> c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT)));
        // the driver's own connection, reached from a statement, a result set and the metadata
        ops.add(new Op("driver connection from a statement: setAutoCommit(false)", (c, n) -> {
            try (PreparedStatement ps = c.prepareStatement("select 1")) {
                ((Statement) ps.unwrap(PGStatement.class)).getConnection().setAutoCommit(false);
            }
        }));
        ops.add(new Op("driver connection from a result set: SET ROLE", (c, n) -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                exec(rs.unwrap(ResultSet.class).getStatement().getConnection(), "set role other");
            }
        }));
        ops.add(new Op("driver connection from the metadata: LISTEN", (c, n) -> {
            exec(c.getMetaData().unwrap(java.sql.DatabaseMetaData.class).getConnection(), "listen d" + n + "; notify d" + n);
        }));
        return ops;
    }

    private static void sql(List<Op> ops, String name, String template) {
        ops.add(new Op(name, (c, n) -> exec(c, String.format(template, n))));
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        Map<String, String> fresh;
        try (Connection first = DriverManager.getConnection(url, user, password)) {
            fresh = SessionFingerprint.of(first);
        }
        long seed = Long.parseLong(args[3]);
        int sequences = Integer.parseInt(args[4]);
        String witness = url + (url.contains("?") ? "&" : "?") + "ApplicationName=witness";
        Random random = new Random(seed);
        int mismatches = 0;
        int reused = 0;
        for (int i = 0; i < sequences; i++) {
            List<String> drawn = new ArrayList<>();
            int borrows = 1 + random.nextInt(3);
            int lastPid = -1;
            for (int b = 0; b < borrows; b++) {
                try (Connection c = DriverManager.getConnection(url, user, password)) {
                    int ops = 1 + random.nextInt(4);
                    for (int k = 0; k < ops; k++) {
                        Op op = GRAMMAR.get(random.nextInt(GRAMMAR.size()));
                        int n = 1 + random.nextInt(1000);
                        drawn.add((b + 1) + ":" + op.name + "(" + n + ")");
                        try {
                            op.action.run(c, n);
                        } catch (SQLException failed) {
                            // part of the draw: a failed statement leaves its own state (an aborted transaction)
                        }
                    }
                    if (b == borrows - 1) {
                        lastPid = pid(c);
                    }
                }
            }
            // Reading the driver's notifications unwraps the session, which then ends: only after a LISTEN was drawn.
            boolean listened = drawn.stream().anyMatch(d -> d.contains("LISTEN"));
            int[] pid = new int[1];
            String problem = check(url, user, password, witness, fresh, listened, pid);
            reused += pid[0] == lastPid ? 1 : 0;
            if (!problem.isEmpty()) {
                mismatches++;
                if (mismatches <= 5) {
                    System.out.println("MISMATCH seed " + seed + ", sequence " + i + ": " + drawn + " -> " + problem);
                }
            }
        }
        System.out.println("RESULT sequences=" + sequences);
        System.out.println("RESULT mismatches=" + mismatches);
        System.out.println("RESULT reused=" + reused);
    }

    /** The next borrower: its fingerprint against a fresh session's, and its auto-commit write seen by another session. */
    private static String check(String url, String user, String password, String witness, Map<String, String> fresh,
                                boolean listened, int[] pid) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            pid[0] = pid(c);
            String differences = SessionFingerprint.differences(fresh, SessionFingerprint.of(c));
            int marker = (int) (System.nanoTime() & 0x3fffffff);
            try (PreparedStatement insert = c.prepareStatement("insert into written_rows values (?)")) {
                insert.setInt(1, marker);
                insert.executeUpdate();
            }
            int pending = listened ? c.unwrap(PGConnection.class).getNotifications().length : 0;
            try (Connection other = DriverManager.getConnection(witness, user, password);
                 ResultSet rs = other.createStatement().executeQuery("select count(*) from written_rows where id = " + marker)) {
                rs.next();
                if (rs.getInt(1) != 1) {
                    differences += "an acknowledged auto-commit INSERT is not visible to another session; ";
                }
            }
            return differences + (pending == 0 ? "" : pending + " notifications meant for an earlier borrower; ");
        }
    }

    /** -2 when the session cannot answer (an aborted transaction): the sequence then counts as not reused. */
    private static int pid(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return -2;
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
