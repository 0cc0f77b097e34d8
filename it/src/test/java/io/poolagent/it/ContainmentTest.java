package io.poolagent.it;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.apps.Hello;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JAVA_TOOL_OPTIONS reaches every JVM in a pod. Whatever goes wrong inside the agent, the JVM runs on,
 * unpooled, with one error line; JVMs that never touch JDBC see nothing at all.
 */
@Tag("slow")
class ContainmentTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void aJvmThatNeverTouchesJdbcSeesNoAgentOutput(Path jdk) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent().run(Hello.class);

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("world", r.value("hello"));
        assertEquals(0, r.agentLines().size(), r.toString());
        assertFalse(r.stderr.contains("Exception"), r.toString());
    }

    @Test
    void aJvmThatNeverTouchesJdbcLoadsNoBytecodeLibraryNoBridgeAndNoMicrometer() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().jvmArg("-verbose:class").run(Hello.class);

        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("io.poolagent.intercept.Weaver"), "the weaver was installed");
        assertFalse(r.stdout.contains("io.poolagent.shaded.bytebuddy"), "Byte Buddy was loaded without need");
        assertFalse(r.stdout.contains("io.poolagent.bootstrap.bridge.Bridge"), "the bridge was defined without need");
        assertFalse(r.stdout.contains("io.poolagent.shaded.micrometer"), "Micrometer was loaded without need");
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void theBridgeGoesToTheBootLoaderWithoutTurningClassDataSharingOff(Path jdk) {
        ChildJvm.Result r = storm(ChildJvm.on(jdk).withAgent().jvmArg("-Xshare:auto"));

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(10, r.intValue("ok"), r.toString());
        assertFalse(r.value("connectionClasses").contains("org.postgresql.jdbc.PgConnection"), "pooled: " + r);
        assertFalse(r.stderr.contains("Sharing is only supported"), r.toString());
        assertFalse(r.stderr.contains("bootstrap classpath has been appended"), r.toString());
    }

    @Test
    void aBrokenPremainLeavesOneErrorLineAndAnUnpooledApp() throws IOException {
        Path broken = jarWithout("inst/io/poolagent/install/Installer.class");
        // Within the server's budget, so that the one line is the failure, not a sizing warning.
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent(broken).env("DB_MAX_OPEN_CONNS", "5"));

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(10, r.intValue("ok"), r.toString());
        assertTrue(r.value("connectionClasses").contains("org.postgresql.jdbc.PgConnection"), r.toString());
        assertEquals(1, r.agentLines().size(), r.toString());
        assertEquals(1, r.agentLinesContaining("ERROR agent not started, connections stay unpooled"), r.toString());
    }

    @Test
    void aPoolThatCannotBeBuiltLeavesOneErrorLineAndUnpooledConnections() throws IOException {
        Path broken = jarWithout("inst/io/poolagent/shaded/hikari/HikariDataSource.class");
        // Within the server's budget, so that the one line is the failure, not a sizing warning.
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent(broken).env("DB_MAX_OPEN_CONNS", "5"));

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(10, r.intValue("ok"), r.toString());
        assertTrue(r.value("connectionClasses").contains("org.postgresql.jdbc.PgConnection"), r.toString());
        assertEquals(1, r.agentLinesContaining("ERROR"), r.toString());
        assertEquals(1, r.agentLinesContaining("ERROR pool postgres@127.0.0.1:" + PG.port()
                + "/postgres failed, its connections stay unpooled"), r.toString());
        assertEquals(0, r.agentLinesContaining("WARN"), r.toString());
    }

    @Test
    void dbPoolEnabledFalseTurnsTheAgentOff() {
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent().env("DB_POOL_ENABLED", "false"));

        assertEquals(10, r.intValue("ok"), r.toString());
        assertTrue(r.value("connectionClasses").contains("org.postgresql.jdbc.PgConnection"), r.toString());
        assertEquals(1, r.agentLinesContaining("INFO disabled by DB_POOL_ENABLED=false"), r.toString());
    }

    private static ChildJvm.Result storm(ChildJvm jvm) {
        return jvm.run(ConnectStorm.class, "driver-manager", PG.url(), PostgresServer.SUPERUSER, "", "2", "5");
    }

    private Path jarWithout(String entryName) throws IOException {
        Path copy = tmp.resolve("pool-agent-broken.jar");
        try (ZipFile source = new ZipFile(ChildJvm.agentJar().toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            Enumeration<? extends ZipEntry> entries = source.entries();
            boolean removed = false;
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(entryName)) {
                    removed = true;
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = source.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            assertTrue(removed, "the agent jar has no " + entryName);
        }
        return copy;
    }
}
