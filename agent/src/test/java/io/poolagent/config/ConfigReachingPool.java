package io.poolagent.config;

import io.poolagent.pool.PoolRegistry;

/**
 * Not a test: a probe for the layering test. A class in {@code config} that uses {@code pool}, which sits far
 * above it. LayeringTest shows that the rules catch it.
 */
public final class ConfigReachingPool {

    private ConfigReachingPool() {
    }

    static Class<?> reach() {
        return PoolRegistry.class;
    }
}
