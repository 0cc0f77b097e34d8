package io.poolagent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceNameTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // Deployment: <name>-<pod-template hash>-<5 characters>
            "auth-service-7d9f8b6c5d-x2k4q | auth-service",
            "orders-5c8f9d7b4-zxvbn        | orders",
            "AUTH-SERVICE-7D9F8B6C5D-X2K4Q | auth-service",
            // DaemonSet or Job: <name>-<5 characters>
            "agent-x2k4q                   | agent",
            "nightly-report-9x7vb          | nightly-report",
            // StatefulSet: <name>-<ordinal>
            "db-writer-0                   | db-writer",
            "kafka-12                      | kafka",
            // a last part with a vowel, or of another length, is the name's own
            "my-app-cache                  | my-app-cache",
            "my-app-queue                  | my-app-queue",
            "web-api                       | web-api",
            "billing                       | billing",
            // a fully qualified host name: its first label
            "auth-service-7d9f8b6c5d-x2k4q.default.svc.cluster.local | auth-service",
            "laptop.local                  | laptop",
    })
    void theServiceIsTheHostNameWithoutTheReplicasSuffix(String host, String service) {
        assertEquals(service, ServiceName.fromHost(host));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void noHostNameGivesApp(String host) {
        assertEquals("app", ServiceName.fromHost(host));
    }

    @Test
    void anOverLongNameIsTruncated() {
        String service = ServiceName.fromHost("a-very-long-deployment-name-for-payments-7d9f8b6c5d-x2k4q");
        assertEquals("a-very-long-deployment-n", service);
        assertEquals(ServiceName.MAX_LENGTH, service.length());
        assertTrue(ServiceName.valid(service));
    }

    @Test
    void charactersDbPoolServiceWouldRefuseAreReplaced() {
        String service = ServiceName.fromHost("my app+worker#1");
        assertEquals("my-app-worker-1", service);
        assertTrue(ServiceName.valid(service));
        assertTrue(ServiceName.valid(ServiceName.fromHost("ünïcode-host")));
        assertEquals("-n-code-host", ServiceName.fromHost("ünïcode-host"));
    }

    @Test
    void whatTheHostGivesIsAlwaysAValidService() {
        for (String host : new String[] {"auth-service-7d9f8b6c5d-x2k4q", "x", "-", "a_b.c", "äöü",
                "a-very-long-deployment-name-for-payments-7d9f8b6c5d-x2k4q", "db-writer-0", "  spaced host  "}) {
            assertTrue(ServiceName.valid(ServiceName.fromHost(host)), host);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "a", "auth-service", "my_app.v2", "Orders-API", "abcdefghijklmnopqrstuvwx"})
    void validAcceptsLettersDigitsDotsUnderscoresAndDashes(String name) {
        assertTrue(ServiceName.valid(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad name!", "orders api", "orders[1]", "abcdefghijklmnopqrstuvwxy", "café", "a/b"})
    void validRefusesAnythingElse(String name) {
        assertFalse(ServiceName.valid(name));
    }
}
