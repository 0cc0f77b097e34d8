package io.poolagent;

import io.poolagent.bootstrap.Bridge;
import io.poolagent.config.Settings;
import io.poolagent.intercept.Instrumentations;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.pool.PoolRegistry;

import java.lang.instrument.Instrumentation;

/**
 * Starts the agent proper, inside its isolated class loader: settings, then the pool registry behind
 * the bridge, then the instrumentation. Any failure leaves the application unpooled, with one line.
 */
public final class Installer {

    private Installer() {
    }

    public static void install(String agentArgs, Instrumentation instrumentation) {
        try {
            Settings settings = Settings.load(System.getenv(), agentArgs);
            AgentLog.setLevel(settings.logLevel());
            Bridge.quiet(settings.logLevel() == AgentLog.Level.OFF);
            settings.problems().forEach(AgentLog::error);
            settings.warnings().forEach(AgentLog::warn);
            if (!settings.enabled()) {
                AgentLog.info("disabled by " + Settings.ENABLED + "=false: connections stay unpooled");
                return;
            }
            AgentMetrics metrics = new AgentMetrics(settings);
            Bridge.install(new PoolRegistry(settings, metrics));
            Instrumentations.install(instrumentation);
            AgentLog.debug("started, pooling " + settings.urlPrefixes() + " with " + settings.describe());
        } catch (Throwable t) {
            Bridge.install(null);
            AgentLog.error("agent not started, connections stay unpooled: " + t);
        }
    }
}
