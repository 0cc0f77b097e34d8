package io.poolagent.pool;

import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sizing rule at run time: when this JVM's DB_MAX_OPEN_CONNS alone takes more than half of what the server
 * admits for applications ({@code max_connections} less the reserved slots), two replicas can exhaust it. Said
 * once per server and JVM, so that a rotated password's pool does not say it again.
 */
final class ServerBudget {

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final String poolName;
    private final String server;
    private final int maxOpen;

    ServerBudget(String poolName, String server, int maxOpen) {
        this.poolName = poolName;
        this.server = server;
        this.maxOpen = maxOpen;
    }

    void check(int maxConnections, int reserved) {
        int budget = maxConnections - reserved;
        if (maxConnections <= 0 || budget <= 0 || maxOpen * 2 <= budget) {
            return;
        }
        boolean first = WARNED.add(server);
        if (!first) {
            return;
        }
        AgentLog.warn("pool " + poolName + ": " + Settings.MAX_OPEN + "=" + maxOpen + (maxOpen > budget
                ? " is more than the server admits for applications: " : " is more than half of what the server"
                + " admits for applications, so two replicas can exhaust it: ")
                + budget + " = max_connections " + maxConnections + " - " + reserved
                + " reserved. Size the pools of every service and replica with"
                + " `java -jar pool-agent.jar plan --max-connections " + maxConnections + " ...`");
    }
}
