package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JAVA_TOOL_OPTIONS puts the agent into every JVM of a pod. Programs are pooled however they are started,
 * single-file programs under the source launcher ({@code java Tool.java}) included; the JDK's own tools
 * are left alone. On JDK 17 and Temurin 25, which name the source launcher differently.
 */
@Tag("slow")
class JvmKindsTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    @TempDir
    Path tmp;

    /** A cron-job-sized program: 40 threads, each opening a fresh connection per query. */
    private static final String SINGLE_FILE_PROGRAM = String.join("\n",
            "import java.sql.*;",
            "import java.util.*;",
            "import java.util.concurrent.atomic.AtomicInteger;",
            "public class NightlyJob {",
            "    public static void main(String[] args) throws Exception {",
            "        AtomicInteger ok = new AtomicInteger(), failed = new AtomicInteger();",
            "        List<Thread> threads = new ArrayList<>();",
            "        for (int t = 0; t < 40; t++) {",
            "            Thread thread = new Thread(() -> {",
            "                for (int i = 0; i < 10; i++) {",
            "                    try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);",
            "                         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(\"select pg_sleep(0.005)\")) {",
            "                        rs.next();",
            "                        ok.incrementAndGet();",
            "                    } catch (SQLException e) {",
            "                        failed.incrementAndGet();",
            "                    }",
            "                }",
            "            });",
            "            threads.add(thread);",
            "            thread.start();",
            "        }",
            "        for (Thread thread : threads) thread.join();",
            "        System.out.println(\"RESULT ok=\" + ok + \"\\nRESULT errors=\" + failed);",
            "    }",
            "}", "");

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void aSingleFileProgramUnderTheSourceLauncherIsPooled(Path jdk) throws IOException {
        Path source = tmp.resolve("NightlyJob.java");
        Files.writeString(source, SINGLE_FILE_PROGRAM, StandardCharsets.UTF_8);
        ChildJvm.Result r = ChildJvm.on(jdk)
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ChildJvm.agentJar().toAbsolutePath())
                .env("DB_MAX_OPEN_CONNS", "5")
                .runTool("java", "-cp", System.getProperty("java.class.path"), source.toString(), PG.url(), "app", "app-secret");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=5"), "pooled:\n" + r);
        assertEquals(400, r.intValue("ok"), r.toString());
        assertEquals(0, r.intValue("errors"), r.toString());
    }

    static Stream<Arguments> jdkTools() {
        return Jdks.all().flatMap(jdk -> Stream.of(
                new String[] {"jcmd", "-h"}, new String[] {"jps", "-q"}, new String[] {"jstack", "-h"},
                new String[] {"jar", "--version"}, new String[] {"javac", "--version"},
                new String[] {"jshell", "--version"}, new String[] {"keytool", "-help"}, new String[] {"jfr", "help"})
                .map(tool -> Arguments.of(jdk, tool[0], tool[1])));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdkTools")
    void jdkToolsStartedThroughJavaToolOptionsAreLeftAlone(Path jdk, String tool, String argument) {
        ChildJvm.Result r = ChildJvm.on(jdk)
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ChildJvm.agentJar().toAbsolutePath())
                .env("DB_POOL_LOG_LEVEL", "debug")
                .runTool(tool, argument);

        assertTrue(r.stderr.contains("Picked up JAVA_TOOL_OPTIONS"), "the option reached the tool:\n" + r);
        assertEquals(0, r.agentLines().size(), "the agent said something, so it started:\n" + r);
    }
}
