package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a borrower could notice of the session it got, as one map: every run-time setting, the custom
 * settings a test uses, who it runs as, its temp relations, session advisory locks, open cursors, SQL-level
 * prepared statements, LISTEN channels, whether a transaction is open, and the driver's client state. Two
 * sessions with equal fingerprints look the same to a borrower.
 */
public final class SessionFingerprint {

    /** Custom settings {@link RandomSessions} and {@link ServerCode} set. */
    public static final List<String> CUSTOM_SETTINGS = List.of("app.tenant", "app.n", "local.tenant",
            "transaction.tenant", "app.tenänt");

    private SessionFingerprint() {
    }

    public static Map<String, String> of(Connection c) throws SQLException {
        Map<String, String> print = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            // A library loaded during the session (plpgsql, at its first function) stays loaded, as after DISCARD ALL:
            // its settings at their defaults are not state a borrower left.
            try (ResultSet rs = s.executeQuery("select name, coalesce(setting, ''), source from pg_settings"
                    + " where not (name like '%.%' and source = 'default')")) {
                while (rs.next()) {
                    print.put("setting " + rs.getString(1), rs.getString(2) + " (" + rs.getString(3) + ")");
                }
            }
            try (ResultSet rs = s.executeQuery("select current_user, session_user,"
                    + " (select count(*) from pg_class where relnamespace = pg_my_temp_schema()),"
                    + " (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()),"
                    + " (select count(*) from pg_cursors),"
                    + " (select count(*) from pg_prepared_statements where from_sql),"
                    + " (select count(*) from pg_listening_channels()),"
                    + " now() = statement_timestamp(), txid_current_if_assigned() is null")) {
                rs.next();
                String[] names = {"current_user", "session_user", "temp relations", "advisory locks", "cursors",
                    "SQL-level prepared statements", "LISTEN channels", "no transaction open", "no transaction id"};
                for (int i = 0; i < names.length; i++) {
                    print.put(names[i], rs.getString(i + 1));
                }
            }
        }
        print.put("lastval()", lastval(c));
        for (String name : CUSTOM_SETTINGS) {
            print.put("custom " + name, custom(c, name));
        }
        print.put("jdbc autoCommit", String.valueOf(c.getAutoCommit()));
        print.put("jdbc readOnly", String.valueOf(c.isReadOnly()));
        print.put("jdbc holdability", String.valueOf(c.getHoldability()));
        print.put("jdbc isolation", String.valueOf(c.getTransactionIsolation()));
        return print;
    }

    /** What lastval() answers: the SQLSTATE 55000 of a session whose sequences were never used, or "defined". */
    private static String lastval(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select lastval()")) {
            rs.next();
            return "defined";
        } catch (SQLException e) {
            return "error " + e.getSQLState();
        }
    }

    /**
     * A custom setting's value; "unset" for none. PostgreSQL keeps a name that anything set defined, empty, for
     * the rest of the session, even after RESET ALL or DISCARD ALL; the value never survives, so '' counts as unset.
     */
    private static String custom(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select current_setting(?, true)")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                String value = rs.getString(1);
                return value == null || value.isEmpty() ? "unset" : value;
            }
        }
    }

    /** "key: fresh 'a', reused 'b'" for every key whose values differ; empty when none does. */
    public static String differences(Map<String, String> fresh, Map<String, String> seen) {
        StringBuilder out = new StringBuilder();
        Map<String, String> keys = new TreeMap<>(fresh);
        seen.forEach(keys::putIfAbsent);
        for (String key : keys.keySet()) {
            String a = fresh.get(key);
            String b = seen.get(key);
            if (a == null ? b != null : !a.equals(b)) {
                out.append(key).append(": fresh '").append(a).append("', reused '").append(b).append("'; ");
            }
        }
        return out.toString();
    }
}
