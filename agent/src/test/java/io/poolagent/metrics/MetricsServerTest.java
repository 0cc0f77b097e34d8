package io.poolagent.metrics;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MetricsServerTest {

    /**
     * The JDK server's own limits are JVM-wide system properties: set by the agent, they would bind the
     * application's own com.sun.net.httpserver servers too. The endpoint keeps its time limit to itself.
     */
    @Test
    void startingTheEndpointSetsNoJvmWideProperty() throws Exception {
        MetricsServer server = MetricsServer.start("127.0.0.1", 0, new CollectorRegistry(), new Endpoints(List.of()),
                null, null);
        try {
            assertEquals(true, server.port() > 0);
            assertNull(System.getProperty("sun.net.httpserver.maxReqTime"));
            assertNull(System.getProperty("sun.net.httpserver.maxRspTime"));
        } finally {
            server.stop();
        }
    }
}
