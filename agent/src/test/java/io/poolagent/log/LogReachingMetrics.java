package io.poolagent.log;

import io.poolagent.metrics.AgentMetrics;

/**
 * Not a test: a probe for the layering test. A class in {@code log} that uses {@code metrics}, one layer it
 * must not reach (and, since metrics uses log, a package cycle). LayeringTest shows that the rules catch it.
 */
public final class LogReachingMetrics {

    private LogReachingMetrics() {
    }

    static Class<?> reach() {
        return AgentMetrics.class;
    }
}
