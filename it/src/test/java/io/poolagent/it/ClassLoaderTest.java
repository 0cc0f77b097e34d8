package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.Webapps;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two web applications in one JVM, each with its own pgjdbc: each is pooled with its own driver (their
 * connections are of their own classes, and no pool is shared), and undeploying one closes its pools and
 * leaves nothing in the agent that keeps its class loader alive.
 */
@Tag("slow")
class ClassLoaderTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void eachWebappIsPooledWithItsOwnDriverAndItsLoaderGoesAtUndeploy(Path jdk) throws Exception {
        String classes = Path.of(Webapps.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent().classpath(classes)
                // pgjdbc's own cleaner thread runs the web application's code for 30 s after its last use
                .jvmArg("-Dpgjdbc.config.cleanup.thread.ttl=100")
                .run(Webapps.class, PG.url(), "app", "app-secret", pgjdbcJar(), classes);

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("ownDriver=true", r.value("first"), r.toString());
        assertEquals("ownDriver=true", r.value("second"), r.toString());
        // one pool per web application, and none made again after the other driver or the undeploy
        assertEquals(2, r.agentLinesContaining("ready: MaxOpen"), r.toString());
        assertEquals("1", r.value("otherDriverCycled"), r.toString());
        assertEquals("1", r.value("deregistered"), r.toString());
        // only the undeployed application's pool closed, not the one of the application whose other driver went
        assertEquals(1, r.agentLinesContaining("closed: its driver was deregistered"), r.toString());
        assertEquals("ownDriver=true", r.value("secondAfterUndeploy"), r.toString());
        assertEquals("true", r.value("firstLoaderCollected"), "the undeployed web application's loader is pinned:\n" + r);
        assertTrue(r.agentLines().stream().noneMatch(line -> line.contains("ERROR")), r.toString());
    }

    private static String pgjdbcJar() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.matches(".*/postgresql-[0-9.]+\\.jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no pgjdbc jar on the test classpath"));
    }
}
