package io.poolagent.metrics;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * A pool's series under OpenTelemetry's semantic-convention names for connection pools
 * ({@code db.client.connection.*}, opentelemetry.io/docs/specs/semconv/database/database-metrics), written as
 * OpenTelemetry's Prometheus exporter writes them (dots to underscores, the unit appended, counters with
 * {@code _total}), so dashboards and alerts built on those conventions work on the agent's pools too (the
 * OpenTelemetry Java agent 2.x emits them only with {@code otel.semconv-stability.opt-in=database}). The
 * attributes are the conventions' own ({@code db_client_connection_pool_name}, {@code db_client_connection_state}
 * = {@code idle} | {@code used}); every series also keeps the agent's {@code pool} label, so it joins with the
 * others.
 */
final class SemanticConventions {

    static final String POOL_NAME = "db.client.connection.pool.name";
    static final String STATE = "db.client.connection.state";
    /** The conventions' advised bucket boundaries for connection durations, in seconds. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private SemanticConventions() {
    }

    /**
     * Registers the gauges and returns a tracker factory that feeds the conventions' wait-time histogram and
     * timeout counter from HikariCP's measurements, then hands every call on to {@code hikari}.
     */
    static MetricsTrackerFactory register(MeterRegistry meters, PoolStats pool, MetricsTrackerFactory hikari) {
        gauge(meters, "db.client.connection.count", "Connections in the state the state attribute names",
                pool, PoolStats::idle, STATE, "idle");
        gauge(meters, "db.client.connection.count", "Connections in the state the state attribute names",
                pool, PoolStats::inUse, STATE, "used");
        gauge(meters, "db.client.connection.max", "Most open connections allowed (DB_MAX_OPEN_CONNS)",
                pool, PoolStats::maxOpen);
        gauge(meters, "db.client.connection.idle.max", "Most idle connections kept (DB_MAX_IDLE_CONNS)",
                pool, PoolStats::maxIdle);
        gauge(meters, "db.client.connection.idle.min", "Idle connections kept however idle (DB_POOL_MIN_IDLE)",
                pool, PoolStats::minIdle);
        gauge(meters, "db.client.connection.pending_requests", "Callers waiting for a connection now",
                pool, PoolStats::waiting);
        LongAdder timeouts = new LongAdder();
        FunctionCounter.builder("db.client.connection.timeouts", timeouts, LongAdder::sum)
                .description("Borrows that gave up after DB_POOL_ACQUIRE_TIMEOUT")
                .tags("pool", pool.name(), POOL_NAME, pool.name()).register(meters);
        Timer waits = Timer.builder("db.client.connection.wait_time")
                .description("Time it took to obtain a connection from the pool")
                .serviceLevelObjectives(BUCKETS).tags("pool", pool.name(), POOL_NAME, pool.name()).register(meters);
        return (poolName, poolStats) -> new Tracker(hikari.create(poolName, poolStats), waits, timeouts);
    }

    private static void gauge(MeterRegistry meters, String name, String help, PoolStats pool,
                              ToDoubleFunction<PoolStats> value, String... tags) {
        Gauge.builder(name, pool, value).description(help).tags("pool", pool.name(), POOL_NAME, pool.name())
                .tags(tags).register(meters);
    }

    /** HikariCP's tracker with the conventions' two measurements taken on the way. */
    private static final class Tracker implements IMetricsTracker {
        private final IMetricsTracker hikari;
        private final Timer waits;
        private final LongAdder timeouts;

        Tracker(IMetricsTracker hikari, Timer waits, LongAdder timeouts) {
            this.hikari = hikari;
            this.waits = waits;
            this.timeouts = timeouts;
        }

        @Override
        public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
            waits.record(elapsedAcquiredNanos, TimeUnit.NANOSECONDS);
            hikari.recordConnectionAcquiredNanos(elapsedAcquiredNanos);
        }

        @Override
        public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
            hikari.recordConnectionCreatedMillis(connectionCreatedMillis);
        }

        @Override
        public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
            hikari.recordConnectionUsageMillis(elapsedBorrowedMillis);
        }

        @Override
        public void recordConnectionTimeout() {
            timeouts.increment();
            hikari.recordConnectionTimeout();
        }

        @Override
        public void close() {
            hikari.close();
        }
    }
}
