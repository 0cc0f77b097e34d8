package io.poolagent.metrics;

import io.prometheus.client.exporter.common.TextFormat;

import java.util.Locale;
import java.util.Map;

/**
 * What each path answers. Everything is computed from counters and HikariCP's own gauges: no handler
 * borrows a connection, so a saturated pool cannot slow {@code /health} down.
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

    private final AgentMetrics metrics;

    Endpoints(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    Response handle(String target, String accept) {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        switch (path) {
            case "/metrics": return metrics(accept);
            case "/health": return health();
            case "/pools": return new Response(200, "application/json", pools());
            default: return Response.text(404, "not found: try /metrics, /health or /pools\n");
        }
    }

    /** Prometheus text format, or OpenMetrics when the scraper asks for it. */
    private Response metrics(String accept) {
        String type = TextFormat.chooseContentType(accept);
        return new Response(200, type, metrics.scrape(type));
    }

    /** 200 when every pool can hand out a connection now, or soon; 503 with the reasons otherwise. */
    private Response health() {
        StringBuilder problems = new StringBuilder();
        for (PoolStats pool : metrics.pools()) {
            String failure = pool.startFailure();
            if (failure != null) {
                problems.append("pool ").append(pool.name()).append(" cannot connect: ").append(failure).append('\n');
            } else if (pool.started() && pool.inUse() >= pool.maxOpen() && pool.waiting() > 0) {
                problems.append("pool ").append(pool.name()).append(" is saturated: ").append(pool.inUse())
                        .append(" of ").append(pool.maxOpen()).append(" in use, ").append(pool.waiting())
                        .append(" callers waiting\n");
            }
        }
        return problems.length() == 0
                ? Response.text(200, "ok: " + metrics.pools().size() + " pool(s)\n")
                : Response.text(503, problems.toString());
    }

    /** Go's sql.DBStats per pool, with Go's field names, as `json.Marshal(db.Stats())` would print them. */
    private String pools() {
        StringBuilder json = new StringBuilder("{\"pools\":[");
        String separator = "";
        for (PoolStats pool : metrics.pools()) {
            json.append(separator).append('{');
            field(json, "Pool", pool.name()).append(',');
            field(json, "MaxOpenConnections", pool.maxOpen()).append(',');
            field(json, "OpenConnections", pool.open()).append(',');
            field(json, "InUse", pool.inUse()).append(',');
            field(json, "Idle", pool.idle()).append(',');
            field(json, "WaitCount", pool.waitCount()).append(',');
            field(json, "WaitDuration", pool.waitNanos()).append(',');
            field(json, "MaxIdleClosed", 0).append(',');
            field(json, "MaxIdleTimeClosed", pool.closedMaxIdleTime()).append(',');
            field(json, "MaxLifetimeClosed", pool.closedMaxLifetime()).append(',');
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
        return json.append("]}\n").toString();
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
