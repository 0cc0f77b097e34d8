package io.poolagent.metrics;

import io.poolagent.log.Json;

import java.util.List;
import java.util.Map;

/**
 * What {@code /health/live}, {@code /health/ready} and {@code /pools} answer. Computed from counters and
 * HikariCP's own gauges: no answer borrows a connection, so a saturated pool cannot slow a probe down.
 *
 * <p>Probes follow Kubernetes' and Spring Boot's conventions. Liveness never depends on the database: a
 * restart does not fix a database. Readiness fails only when a pool the application uses cannot reach its
 * database. Load is not a fault: a saturated pool (all connections in use, callers waiting) stays ready,
 * because taking a pod out of service under load moves its load onto the others; saturation shows in
 * {@code /pools} and the metrics.
 */
final class Endpoints {

    static final class Response {
        final int status;
        final String contentType;
        final String body;

        Response(int status, String contentType, String body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body);
        }
    }

    private final List<PoolStats> pools;

    Endpoints(List<PoolStats> pools) {
        this.pools = pools;
    }

    /** The agent runs and answers: that is all liveness asks. */
    Response live() {
        return Response.text(200, "live\n");
    }

    /**
     * 503 with one line per pool that cannot reach its database, naming the database only; 200 otherwise.
     * Probes need no credentials, so this says no more than a status: who logs in where, and the server's
     * error text, are on {@code /pools}, behind the endpoint's auth when it has any.
     */
    Response ready() {
        StringBuilder problems = new StringBuilder();
        for (PoolStats pool : pools) {
            if (pool.unreachable() != null && pool.replica() == null) { // reads skip a replica that is down
                problems.append("not ready: the pool for database ").append(shortName(pool.name()))
                        .append(" cannot reach it (details on /pools)\n");
            }
        }
        return problems.length() == 0
                ? Response.text(200, "ready: " + pools.size() + " pool(s)\n")
                : Response.text(503, problems.toString());
    }

    /** "app@db.internal:5432/orders" is "orders". */
    static String shortName(String poolName) {
        return poolName.substring(poolName.lastIndexOf('/') + 1);
    }

    /** Go's sql.DBStats per pool, with Go's field names, as {@code json.Marshal(db.Stats())} would print them. */
    Response pools() {
        StringBuilder json = new StringBuilder("{\"pools\":[");
        String separator = "";
        for (PoolStats pool : pools) {
            json.append(separator).append('{');
            Json.field(json, "Pool", pool.name()).append(',');
            Json.field(json, "MaxOpenConnections", pool.maxOpen()).append(',');
            Json.field(json, "OpenConnections", pool.open()).append(',');
            Json.field(json, "InUse", pool.inUse()).append(',');
            Json.field(json, "Idle", pool.idle()).append(',');
            Json.field(json, "WaitCount", pool.waitCount()).append(',');
            Json.field(json, "WaitDuration", pool.waitNanos()).append(',');
            Json.field(json, "MaxIdleClosed", pool.closedMaxIdle()).append(',');
            Json.field(json, "MaxIdleTimeClosed", pool.closedMaxIdleTime()).append(',');
            Json.field(json, "MaxLifetimeClosed", pool.closedMaxLifetime()).append(',');
            Json.field(json, "Waiting", pool.waiting()).append(',');
            Json.field(json, "Saturated", pool.started() && pool.inUse() >= pool.maxOpen() && pool.waiting() > 0).append(',');
            if (pool.host() != null) {
                Json.field(json, "Host", pool.host()).append(',');
            }
            Json.field(json, "Failovers", pool.failovers()).append(',');
            Json.field(json, "Role", pool.role()).append(',');
            ReplicaStats replica = pool.replica();
            if (replica != null) {
                Json.field(json, "PrimaryPool", pool.primaryPool()).append(',');
                Json.field(json, "LagSeconds", Math.round(replica.lagSeconds() * 1000) / 1000.0).append(',');
                Json.field(json, "Usable", replica.usable()).append(',');
                if (!replica.problem().isEmpty()) {
                    Json.field(json, "Problem", replica.problem()).append(',');
                }
            }
            String unreachable = pool.unreachable();
            if (unreachable != null) {
                Json.field(json, "Unreachable", unreachable).append(',');
            }
            ShareStats share = pool.share();
            if (share != null) {
                json.append("\"Share\":{");
                Json.field(json, "Connections", share.target()).append(',');
                Json.field(json, "Entitled", share.share()).append(',');
                Json.field(json, "Instances", share.instances()).append(',');
                Json.field(json, "OtherSessions", share.others()).append(',');
                Json.field(json, "Budget", share.budget()).append(',');
                Json.field(json, "Headroom", share.headroom()).append(',');
                Json.field(json, "Evaluations", share.evaluations()).append(',');
                Json.field(json, "LastResize", share.lastReason()).append("},");
            }
            json.append("\"Settings\":{");
            String inner = "";
            for (Map.Entry<String, Object> setting : pool.settings().entrySet()) {
                json.append(inner);
                Json.field(json, setting.getKey(), setting.getValue());
                inner = ",";
            }
            json.append("}}");
            separator = ",";
        }
        return new Response(200, "application/json", json.append("]}\n").toString());
    }
}
