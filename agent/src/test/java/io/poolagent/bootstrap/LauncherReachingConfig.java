package io.poolagent.bootstrap;

import io.poolagent.config.Settings;

/**
 * Not a test: a probe for the layering test. A launcher class that names an agent class, which its class
 * loader cannot load. LayeringTest shows that the rule catches it.
 */
public final class LauncherReachingConfig {

    private LauncherReachingConfig() {
    }

    static Class<?> reach() {
        return Settings.class;
    }
}
