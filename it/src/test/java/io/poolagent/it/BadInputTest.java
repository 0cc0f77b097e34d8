package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.apps.HoldAndExhaust;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad settings and a saturated pool give clear messages; the service keeps working. */
@Tag("slow")
class BadInputTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void invalidEnvValuesAreReportedAndTheAppStillWorksOnDefaults(Path jdk) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent()
                .env("DB_CONN_MAX_LIFETIME", "0.1ns")
                .env("DB_MAX_OPEN_CONNS", "1000000")
                .env("DB_POOL_RESET", "sometimes")
                .env("DB_POOL_CONNECT_RETRIES", "2147483647")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "2000000h")
                .env("DB_POOL_METRICS_PORT", "http")
                .jvmArg(ChildJvm.METRICS_UP)
                .run(ConnectStorm.class, "driver-manager", PG.url(), "app", "app-secret", "4", "5");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(20, r.intValue("ok"), "the app serves on the defaults\n" + r);
        for (String setting : new String[] {"DB_CONN_MAX_LIFETIME=\"0.1ns\"", "DB_MAX_OPEN_CONNS=\"1000000\"",
                "DB_POOL_RESET=\"sometimes\"", "DB_POOL_CONNECT_RETRIES=\"2147483647\"",
                "DB_POOL_ACQUIRE_TIMEOUT=\"2000000h\"", "DB_POOL_METRICS_PORT=\"http\""}) {
            assertEquals(1, r.agentLinesContaining("ERROR " + setting + " is not valid: expected "), setting + "\n" + r);
        }
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=25, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m,"
                + " AcquireTimeout=30s, Reset=discard, ConnectRetries=5"), "a misspelt reset mode gets the strictest\n" + r);
        // The default port, bound or (when another JVM on this machine has it) reported as taken.
        assertEquals(1, r.agentLinesContaining("0.0.0.0:9433"), "the default port\n" + r);
    }

    @Test
    void agentArgumentsWinOverTheEnvironment() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .agentArgs("DB_MAX_OPEN_CONNS=3;DB_POOL_URLS=jdbc:h2:,jdbc:postgresql:")
                .env("DB_MAX_OPEN_CONNS", "7")
                .run(ConnectStorm.class, "driver-manager", PG.url(), "app", "app-secret", "4", "5");

        assertEquals(20, r.intValue("ok"), r.toString());
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=3, MaxIdle=3,"), r.toString());
    }

    @Test
    void aCallerWaitingPastTheAcquireTimeoutLearnsThePoolIsExhausted() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "2")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "500ms")
                .run(HoldAndExhaust.class, PG.url(), "app", "app-secret", "2");

        assertEquals("refused", r.value("extra"), r.toString());
        assertEquals("java.sql.SQLTransientConnectionException", r.value("exceptionClass"), r.toString());
        String message = r.value("message");
        assertTrue(message.contains("is exhausted: all 2 connections (DB_MAX_OPEN_CONNS) are in use"), message);
        assertTrue(message.contains("app@127.0.0.1:" + PG.port() + "/postgres"), message);
        assertTrue(r.intValue("waitedMs") >= 450, r.toString());
    }
}
