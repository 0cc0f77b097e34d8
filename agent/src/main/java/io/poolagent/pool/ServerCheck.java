package io.poolagent.pool;

import io.poolagent.config.PoolerMode;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.session.ReturnPath;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

/**
 * What a pool's first physical connection learns about what is behind its URL, in one query:
 * <ul>
 * <li>whether a pooler stands in between. PostgreSQL tells a client its backend's process id at login, and
 * {@code pg_backend_pid()} returns the same number; a pooler such as PgBouncer makes up its own (it is the
 * key a client cancels queries with, and PgBouncer must route cancels itself), so the two differ;</li>
 * <li>how many client sessions the server admits, for the {@link ServerBudget} warning.</li>
 * </ul>
 * A pooler found this way may run in session or in transaction mode, which the client cannot tell; so the
 * agent does only what is safe in both: pgjdbc's {@code setPrepareThreshold(0)} on every connection (only
 * unnamed statements, which live for one round trip; pgjdbc's documentation asks for it with PgBouncer), unless
 * the application chose a threshold itself. Only {@code DB_POOL_PGBOUNCER=transaction} also turns the reset off.
 *
 * <p>The query runs within the reset timeout, so a pooler that queues it or a network that stalls cannot hold
 * the first caller; a connection that does not answer in time is closed and the connect fails as transient,
 * for the retries. Any other failure (a server that speaks PostgreSQL's protocol without these functions)
 * leaves the pool as direct.
 */
final class ServerCheck {

    private static final String QUERY = "SELECT pg_backend_pid(), current_setting('max_connections', true),"
            + " current_setting('superuser_reserved_connections', true), current_setting('reserved_connections', true)";

    private final String poolName;
    private final PoolerMode configured;
    /** The application set prepareThreshold itself (in the URL or its properties): its choice stands. */
    private final boolean thresholdChosen;
    private final ServerBudget budget;
    private final ReturnPath bound;
    private volatile boolean checked;
    private volatile boolean unnamedOnly;
    private volatile boolean detected;

    ServerCheck(String poolName, PoolerMode configured, boolean thresholdChosen, ServerBudget budget,
                ReturnPath bound) {
        this.poolName = poolName;
        this.configured = configured;
        this.thresholdChosen = thresholdChosen;
        this.budget = budget;
        this.bound = bound;
        this.unnamedOnly = configured == PoolerMode.TRANSACTION && !thresholdChosen;
    }

    /**
     * Called with every new physical connection, before anyone uses it. The first one runs the check, and
     * connects that come meanwhile wait for its verdict (a connection that skipped it could keep named
     * statements all its life). Throws when the check's connection stopped answering: it is closed by then.
     */
    void onConnect(Connection physical) throws SQLException {
        if (!checked) {
            synchronized (this) {
                if (!checked) {
                    checked = check(physical);
                }
            }
        }
        if (unnamedOnly) {
            unnamedStatementsOnly(physical);
        }
    }

    /** True when a pooler stands in between, found or configured (transaction or session). */
    boolean pooler() {
        return detected || configured == PoolerMode.TRANSACTION || configured == PoolerMode.SESSION;
    }

    /** How the pooler question was answered, for the start-up line and /pools. */
    String describe() {
        if (configured != PoolerMode.AUTO) {
            return configured.toString();
        }
        return detected ? "detected" : checked ? "none" : "unknown";
    }

    /** Whether the question is settled; false after a failure worth asking again. */
    private boolean check(Connection physical) throws SQLException {
        if (configured == PoolerMode.TRANSACTION || configured == PoolerMode.SESSION) {
            return true; // the pool's connections count against the pooler, not max_connections: nothing to ask
        }
        String[] answer = new String[4];
        try {
            bound.bounded(physical, () -> ask(physical, answer));
        } catch (SQLException | RuntimeException e) {
            if (physical.isClosed()) { // it did not answer within the timeout: the connect failed
                throw new SQLTransientConnectionException("pool-agent: pool " + poolName + ": a new connection did"
                        + " not answer its first query in time", "08006", e);
            }
            AgentLog.debug("pool " + poolName + ": no server check (" + e + ")");
            return true; // it cannot answer this query; asking again would not change that
        }
        int loginPid = loginPid(physical);
        if (configured == PoolerMode.AUTO && loginPid != 0 && !String.valueOf(loginPid).equals(answer[0])) {
            found();
        } else {
            budget.check(number(answer[1]), number(answer[2]) + number(answer[3]));
        }
        return true;
    }

    private static void ask(Connection physical, String[] answer) throws SQLException {
        try (Statement statement = physical.createStatement();
             ResultSet row = statement.executeQuery(QUERY)) {
            if (row.next()) {
                for (int i = 0; i < answer.length; i++) {
                    answer[i] = row.getString(i + 1);
                }
            }
        }
    }

    private void found() {
        detected = true;
        unnamedOnly = !thresholdChosen;
        AgentLog.warn("pool " + poolName + ": a connection pooler (PgBouncer or alike) stands between this JVM and"
                + " PostgreSQL; " + (thresholdChosen ? "the application's prepareThreshold stays as it is"
                : "server-prepared statements are off (pgjdbc prepareThreshold=0), as a pooler in transaction mode"
                + " needs") + ". Set " + Settings.PGBOUNCER + "=transaction to also skip the session reset (it"
                + " cleans a server session the next borrower may not get), or =session to keep both");
    }

    /** The process id pgjdbc got at login ({@code PGConnection.getBackendPID()}); 0 when it cannot say. */
    private static int loginPid(Connection physical) {
        try {
            Method method = physical.getClass().getMethod("getBackendPID");
            return (Integer) method.invoke(physical);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    private void unnamedStatementsOnly(Connection physical) {
        try {
            physical.getClass().getMethod("setPrepareThreshold", int.class).invoke(physical, 0);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Seen only later, as 42P05 from the pooler: say it now.
            AgentLog.warn("pool " + poolName + ": cannot turn server-prepared statements off on "
                    + physical.getClass().getName() + " (" + e + "); add prepareThreshold=0 to the URL");
        }
    }

    private static int number(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
