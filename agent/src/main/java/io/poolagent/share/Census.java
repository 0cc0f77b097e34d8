package io.poolagent.share;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One look at the server: how many client sessions it admits, and whose the sessions it holds are, by the
 * {@link InstanceTag} in their application_name.
 *
 * <p>Anyone who can log in can name a session as they like, so a tag counts only on a session of the pool's own
 * role and database: a session of another role is someone else's, for exactly the one slot it holds, whatever
 * it calls itself. A forged tag cannot make the service shrink for an instance that does not exist.
 *
 * <p>A role without {@code pg_read_all_stats} sees other roles' rows with most columns blank, backend_type
 * among them, but still with their database, user and application_name; such a row counts as a client session
 * when it has both a database and a user. Background processes lack one or the other (the logical replication
 * launcher has a user but no database), except parallel and autovacuum workers, which then count as sessions
 * of someone else while they run: an error on the safe side.
 */
final class Census {

    static final String QUERY = "SELECT application_name,"
            + " coalesce(usename = session_user AND datname = current_database(), false), count(*),"
            + " current_setting('max_connections'), current_setting('superuser_reserved_connections'),"
            + " current_setting('reserved_connections', true)"
            + " FROM pg_stat_activity"
            + " WHERE backend_type = 'client backend'"
            + " OR (backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL)"
            + " GROUP BY 1, 2";

    /** One instance as the census saw it. */
    static final class Instance {
        final String service;
        final int weight;
        final int sessions;

        Instance(String service, int weight, int sessions) {
            this.service = service;
            this.weight = weight;
            this.sessions = sessions;
        }
    }

    private final int maxConnections;
    private final int reserved;
    private final Map<String, Instance> instances;
    private final int others;

    private Census(int maxConnections, int reserved, Map<String, Instance> instances, int others) {
        this.maxConnections = maxConnections;
        this.reserved = reserved;
        this.instances = Collections.unmodifiableMap(instances);
        this.others = others;
    }

    /**
     * Runs the query within {@code timeoutMillis} (a network timeout, so that a connection to a server that
     * vanished cannot hold the count; the pool restores the connection's timeout when it comes back).
     */
    static Census read(Connection connection, int timeoutMillis) throws SQLException {
        int maxConnections = 0;
        int reserved = 0;
        Map<String, Integer> ownRole = new LinkedHashMap<>();
        int otherRoles = 0;
        connection.setNetworkTimeout(Runnable::run, timeoutMillis);
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(QUERY)) {
            while (rows.next()) {
                if (rows.getBoolean(2)) {
                    ownRole.merge(String.valueOf(rows.getString(1)), rows.getInt(3), Integer::sum);
                } else {
                    otherRoles += rows.getInt(3);
                }
                maxConnections = number(rows.getString(4));
                reserved = number(rows.getString(5)) + number(rows.getString(6));
            }
        }
        return of(maxConnections, reserved, ownRole, otherRoles);
    }

    /**
     * From the server's numbers and the client sessions: those of the pool's own role and database counted by
     * application_name, those of every other role (or database) only counted.
     */
    static Census of(int maxConnections, int reserved, Map<String, Integer> ownRoleByApplicationName,
                     int otherRoles) {
        Map<String, Instance> instances = new LinkedHashMap<>();
        int others = otherRoles;
        for (Map.Entry<String, Integer> entry : ownRoleByApplicationName.entrySet()) {
            InstanceTag tag = InstanceTag.parse(entry.getKey());
            if (tag == null) {
                others += entry.getValue();
            } else {
                Instance seen = instances.get(tag.id());
                int before = seen == null ? 0 : seen.sessions;
                instances.put(tag.id(), new Instance(tag.service(), tag.weight(), before + entry.getValue()));
            }
        }
        return new Census(maxConnections, reserved, instances, others);
    }

    /** What the server admits for applications: max_connections less the slots kept for superusers and roles. */
    int budget() {
        return Math.max(0, maxConnections - reserved);
    }

    int maxConnections() {
        return maxConnections;
    }

    int reserved() {
        return reserved;
    }

    /** The auto-sized pools on this server, by instance id, each with its sessions. */
    Map<String, Instance> instances() {
        return instances;
    }

    /** Client sessions of anyone else: applications without the agent, fixed-size pools, psql. */
    int others() {
        return others;
    }

    int sessions() {
        int total = others;
        for (Instance instance : instances.values()) {
            total += instance.sessions;
        }
        return total;
    }

    private static int number(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
