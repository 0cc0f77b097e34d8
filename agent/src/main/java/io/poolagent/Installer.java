package io.poolagent;

import io.poolagent.bootstrap.Bridge;
import io.poolagent.config.Settings;
import io.poolagent.intercept.Instrumentations;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.pool.PoolRegistry;

import java.lang.instrument.Instrumentation;

/**
 * Starts the agent proper, inside its isolated class loader: settings, then the weaver. The bridge and the
 * pool registry behind it come up when the first class to weave loads. Any failure leaves the application
 * unpooled, with one line.
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
            Settings settings = Settings.load(System.getenv(), agentArgs);
            AgentLog.setLevel(settings.logLevel());
            for (String problem : settings.problems()) { // loops, not lambdas: each first lambda costs start-up time
                AgentLog.error(problem);
            }
            for (String warning : settings.warnings()) {
                AgentLog.warn(warning);
            }
            if (!settings.enabled()) {
                AgentLog.info("disabled by " + Settings.ENABLED + "=false: connections stay unpooled");
                return;
            }
            Instrumentations.install(instrumentation, new BridgeUp(defineBridge, settings));
            if (AgentLog.enabled(AgentLog.Level.DEBUG)) {
                AgentLog.debug("start-up: premain took " + (System.nanoTime() - startedNanos) / 1000 + " us, pooling "
                        + settings.urlPrefixes() + " with " + settings.describe());
            }
        } catch (Throwable t) {
            AgentLog.error("agent not started, connections stay unpooled: " + t);
        }
    }

    /**
     * Run by the weaver before the first class it changes: the bridge, then the registry behind it (which
     * implements the bridge's interface, so it cannot load before).
     */
    private static final class BridgeUp implements Runnable {
        private final Runnable defineBridge;
        private final Settings settings;

        BridgeUp(Runnable defineBridge, Settings settings) {
            this.defineBridge = defineBridge;
            this.settings = settings;
        }

        @Override
        public void run() {
            defineBridge.run();
            Registry.connect(settings);
        }
    }

    /**
     * A class of its own, loaded only once the bridge is defined: the JVM's verifier loads the bridge's
     * interface to check code that hands a PoolRegistry to the bridge, in whichever class holds that code.
     */
    private static final class Registry {
        static void connect(Settings settings) {
            Bridge.quiet(settings.logLevel() == AgentLog.Level.OFF);
            Bridge.install(new PoolRegistry(settings, new AgentMetrics(settings)));
        }
    }
}
