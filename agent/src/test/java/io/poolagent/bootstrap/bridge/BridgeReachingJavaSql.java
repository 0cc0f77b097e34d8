package io.poolagent.bootstrap.bridge;

import java.sql.Connection;

/**
 * Not a test: a probe for the layering test. A bridge class that names {@code java.sql.Connection}, which the
 * boot class loader cannot see. LayeringTest shows that the rule catches it.
 */
public final class BridgeReachingJavaSql {

    private BridgeReachingJavaSql() {
    }

    static Connection none() {
        return null;
    }
}
