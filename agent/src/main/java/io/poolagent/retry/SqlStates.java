package io.poolagent.retry;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.sql.SQLTransientException;

/**
 * Which failures of a first connect are worth retrying.
 *
 * <p>Transient: the server is not reachable yet or not accepting sessions yet, which is what a pod sees
 * when it starts before its database. From PostgreSQL's SQLSTATE table (Appendix A of its manual):
 * class 08 "connection exception" (pgjdbc reports refused, unreachable and timed-out connects as 08001,
 * a dropped one as 08006), class 53 "insufficient resources" (53300 too_many_connections, 53000, 53100
 * disk full, 53200 out of memory), 57P01 admin_shutdown and 57P02 crash_shutdown (the server is going
 * down, e.g. in a restart), and 57P03 cannot_connect_now ("the database system is starting up").
 *
 * <p>Everything else is permanent and fails at once: retrying cannot fix 28P01 invalid_password, 28000
 * invalid_authorization_specification, 3D000 invalid_catalog_name (unknown database), a malformed URL
 * or a missing driver. An {@link SQLNonTransientException} (JDBC's own "retrying will not help") is
 * permanent whatever its SQLSTATE: the agent throws one when the driver does not accept the URL. So is a TLS
 * certificate the client does not trust: pgjdbc reports it as 08006 like a dropped connection, but only a new
 * certificate or trust store fixes it: a {@link CertificateException} or a
 * certification-path failure in the cause chain (not any TLS handshake failure: a server going down can cut
 * a handshake too).
 */
public final class SqlStates {

    /** 53300: every slot for applications is taken ("remaining connection slots are reserved ..."). */
    public static final String TOO_MANY_CONNECTIONS = "53300";

    private SqlStates() {
    }

    public static boolean isTransient(SQLException e) {
        if (e instanceof SQLNonTransientException || certificateRefused(e)) {
            return false;
        }
        String state = e.getSQLState();
        if (state == null || state.length() != 5) {
            // No SQLSTATE: only the JDBC type can say it is transient.
            return e instanceof SQLTransientException;
        }
        return state.startsWith("08")
                || state.startsWith("53")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03");
    }

    /**
     * Whether the connection that raised {@code e} lost its server: class 08 (the connection broke), 57P01
     * admin_shutdown and 57P02 crash_shutdown (the server is going down), 57P03 cannot_connect_now. What lost
     * one connection this way has usually lost every connection to that server.
     */
    public static boolean isServerLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    /** Looks a bounded way down the cause chain: a chain with a cycle in it must not hang a connect. */
    private static boolean certificateRefused(Throwable e) {
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 32; depth++, cause = cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof CertPathBuilderException
                    || cause instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }
}
