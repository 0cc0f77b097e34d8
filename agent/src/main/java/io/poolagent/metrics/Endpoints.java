package io.poolagent.metrics;

import java.util.List;
import java.util.Locale;
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
            if (pool.unreachable() != null) {
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
            field(json, "Pool", pool.name()).append(',');
            field(json, "MaxOpenConnections", pool.maxOpen()).append(',');
            field(json, "OpenConnections", pool.open()).append(',');
            field(json, "InUse", pool.inUse()).append(',');
            field(json, "Idle", pool.idle()).append(',');
            field(json, "WaitCount", pool.waitCount()).append(',');
            field(json, "WaitDuration", pool.waitNanos()).append(',');
            field(json, "MaxIdleClosed", pool.closedMaxIdle()).append(',');
            field(json, "MaxIdleTimeClosed", pool.closedMaxIdleTime()).append(',');
            field(json, "MaxLifetimeClosed", pool.closedMaxLifetime()).append(',');
            field(json, "Waiting", pool.waiting()).append(',');
            field(json, "Saturated", pool.started() && pool.inUse() >= pool.maxOpen() && pool.waiting() > 0).append(',');
            String unreachable = pool.unreachable();
            if (unreachable != null) {
                field(json, "Unreachable", unreachable).append(',');
            }
            ShareStats share = pool.share();
            if (share != null) {
                json.append("\"Share\":{");
                field(json, "Connections", share.target()).append(',');
                field(json, "Entitled", share.share()).append(',');
                field(json, "Instances", share.instances()).append(',');
                field(json, "OtherSessions", share.others()).append(',');
                field(json, "Budget", share.budget()).append(',');
                field(json, "Headroom", share.headroom()).append(',');
                field(json, "Evaluations", share.evaluations()).append(',');
                field(json, "LastResize", share.lastReason()).append("},");
            }
            json.append("\"Settings\":{");
            String inner = "";
            for (Map.Entry<String, Object> setting : pool.settings().entrySet()) {
                json.append(inner);
                field(json, setting.getKey(), setting.getValue());
                inner = ",";
            }
            json.append("}}");
            separator = ",";
        }
        return new Response(200, "application/json", json.append("]}\n").toString());
    }

    private static StringBuilder field(StringBuilder json, String name, Object value) {
        json.append('"').append(escape(name)).append("\":");
        if (value instanceof Number || value instanceof Boolean) {
            return json.append(value);
        }
        return json.append('"').append(escape(String.valueOf(value))).append('"');
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
