package io.poolagent.install;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.config.Settings;
import io.poolagent.intercept.Instrumentations;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.pool.PoolRegistry;
import io.poolagent.runtime.AgentThreads;

import java.lang.instrument.Instrumentation;

/**
 * Starts the agent proper, inside its isolated class loader: settings, then the weaver. The bridge comes up
 * when the first class to weave loads, the pool registry behind it with the first call through the bridge.
 * Any failure leaves the application unpooled, with one line.
 */
public final class Installer {

    private Installer() {
    }

    /**
     * @param startedNanos when the launcher began, for the start-up breakdown in the debug log
     * @param defineBridge puts the bridge classes into the bootstrap loader; until it ran, nothing here may
     *                     touch {@link Bridge}
     */
    public static void install(String agentArgs, Instrumentation instrumentation, long startedNanos,
                               Runnable defineBridge) {
        try {
            // The live properties, looked up per key: copying or walking them would cost every JVM in the pod.
            Settings settings = Settings.load(System.getenv(), System.getProperties(), agentArgs);
            AgentLog.setLevel(settings.logLevel());
            AgentLog.setFormat(settings.logFormat()); // before the first line, so that the problems are JSON too
            for (String problem : settings.problems()) { // loops, not lambdas: each first lambda costs start-up time
                AgentLog.error(problem);
            }
            for (String warning : settings.warnings()) {
                AgentLog.warn(warning);
            }
            if (settings.strictFailure()) {
                AgentLog.error("agent disabled by " + Settings.STRICT + "=true: " + settings.problems().size()
                        + " bad setting(s), see above");
                return;
            }
            if (!settings.enabled()) {
                AgentLog.info("disabled by " + Settings.ENABLED + "=false: connections stay unpooled");
                return;
            }
            // Made here only when the endpoint opens at start: a JVM that never pools loads none of it.
            AgentMetrics metrics = settings.metricsAtStart() ? new AgentMetrics(settings) : null;
            Instrumentations.install(instrumentation, new BridgeUp(defineBridge, settings, metrics));
            if (metrics != null) {
                AgentThreads.daemon(new MetricsAtStart(metrics), "pool-agent-metrics-start").start();
            }
            if (AgentLog.enabled(AgentLog.Level.DEBUG)) {
                AgentLog.debug("start-up: premain took " + (System.nanoTime() - startedNanos) / 1000 + " us, pooling "
                        + settings.maskedUrlPrefixes() + " with " + settings.describe() + fromWhere(settings));
            }
        } catch (Throwable t) {
            AgentLog.error("agent not started, connections stay unpooled: " + t);
        }
    }

    private static String fromWhere(Settings settings) {
        String origins = settings.origins();
        return origins.isEmpty() ? "" : "; settings from: " + origins;
    }

    /**
     * Run once, on the weaver's own thread, when the first class to weave loads: the bridge, then what answers
     * its calls (which implements the bridge's interface, so it cannot load before).
     */
    private static final class BridgeUp implements Runnable {
        private final Runnable defineBridge;
        private final Settings settings;
        private final AgentMetrics metrics;

        /** @param metrics null unless the endpoint opened at start-up */
        BridgeUp(Runnable defineBridge, Settings settings, AgentMetrics metrics) {
            this.defineBridge = defineBridge;
            this.settings = settings;
            this.metrics = metrics;
        }

        @Override
        public void run() {
            defineBridge.run();
            Registry.connect(settings, metrics);
        }
    }

    /** The endpoint a second after start-up, on a thread of its own: the application's start is not slowed. */
    private static final class MetricsAtStart implements Runnable {
        private final AgentMetrics metrics;

        MetricsAtStart(AgentMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(1000);
                metrics.startNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | LinkageError e) {
                AgentLog.warn("metrics endpoint not started: " + e + "; pooling works on");
            }
        }
    }

    /**
     * A class of its own, loaded only once the bridge is defined: the JVM's verifier loads the bridge's
     * interface to check code that hands an interceptor to the bridge, in whichever class holds that code.
     * The registry itself comes with the first call through the bridge ({@link RegistryOnFirstUse}), not
     * here: this runs inside a class load.
     */
    private static final class Registry {
        static void connect(Settings settings, AgentMetrics metrics) {
            if (!Bridge.installFirst(new RegistryOnFirstUse(settings, metrics),
                    settings.logLevel() == AgentLog.Level.OFF)) {
                throw new IllegalStateException("the bridge already answers to another interceptor");
            }
        }
    }
}
