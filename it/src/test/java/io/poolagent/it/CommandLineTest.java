package io.poolagent.it;

import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's commands end to end, as an operator runs them: {@code java -jar pool-agent.jar plan|doctor} in a
 * child JVM, the doctor against a real PostgreSQL that asks for a SCRAM password.
 */
@Tag("slow")
class CommandLineTest {

    private static final String PASSWORD = "doctor-Secret-4417";
    private static final String PROBE = "idle-in-tx-probe";

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.SCRAM).role("app", PASSWORD);

    @Test
    void planExitsZeroWhenThePlanFitsOneWhenItDoesNotAndTwoOnBadInput() {
        String[] runbook = {"auth-service:3:25", "publish-order:2:15", "process-order:2:10"};

        ChildJvm.Result fits = jar(ChildJvm.on(Jdks.current()), concat(List.of("plan", "--max-connections", "500"), runbook));
        ChildJvm.Result tooSmall = jar(ChildJvm.on(Jdks.current()), concat(List.of("plan", "--max-connections", "100"), runbook));
        ChildJvm.Result bad = jar(ChildJvm.on(Jdks.current()), "plan", "--max-connections", "100", "auth-service:3");

        assertEquals(0, fits.exitCode, fits.toString());
        assertTrue(fits.stdout.contains("fits: total 150 within the budget 497"), fits.toString());
        assertEquals(1, tooSmall.exitCode, tooSmall.toString());
        assertTrue(tooSmall.stdout.contains("does not fit now: total 150 is over the budget 97 by 53"), tooSmall.toString());
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.stderr.contains("plan: service \"auth-service:3\" is not valid: expected SERVICE:PODS:MAX_OPEN[:MAX_PODS]"),
                bad.toString());
    }

    @Test
    void versionPrintsTheJarsImplementationVersion() throws Exception {
        String version;
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        ChildJvm.Result r = jar(ChildJvm.on(Jdks.current()), "--version");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("pool-agent " + version, r.stdout.trim(), r.toString());
    }

    @Test
    void doctorListsASessionIdleInATransactionAndNeverPrintsThePassword() throws SQLException {
        try (Connection probe = idleInTransaction()) {
            ChildJvm.Result r = doctor(ChildJvm.on(Jdks.current()).env("PGPASSWORD", PASSWORD));

            assertEquals(0, r.exitCode, r.toString());
            String pid = String.valueOf(pidOf(probe));
            assertTrue(Pattern.compile("(?m)^\\s+" + pid + "\\s+app\\s+" + PROBE + "\\s+127\\.0\\.0\\.1\\s+\\S+")
                    .matcher(section(r.stdout, "Idle in a transaction")).find(), r.toString());
            assertTrue(Pattern.compile("(?m)^\\s+app\\s+" + PROBE + "\\s+127\\.0\\.0\\.1\\s+idle in transaction\\s+1$")
                    .matcher(section(r.stdout, "Sessions by user, application and client")).find(), r.toString());
            assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), r.toString());
        }
    }

    @Test
    void doctorRefusesAPasswordArgument() {
        ChildJvm.Result r = jar(ChildJvm.on(Jdks.current()), "doctor", "--url", PG.url(), "--user", "app",
                "--password", PASSWORD);

        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("--password is refused") && r.stderr.contains("PGPASSWORD"), r.toString());
        assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), r.toString());
    }

    @Test
    void doctorNamesTheSqlstateOfAWrongPasswordWithoutRepeatingIt() {
        ChildJvm.Result r = doctor(ChildJvm.on(Jdks.current()).env("PGPASSWORD", "not-" + PASSWORD));

        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("(SQLSTATE 28P01)"), r.toString());
        assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), r.toString());
    }

    /** From JDK 22 a JVM has a Console even without a terminal; the doctor must not wait on it for a password. */
    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void doctorWithoutPgpasswordAndWithoutATerminalSaysToSetIt(Path jdk) {
        ChildJvm.Result r = doctor(ChildJvm.on(jdk).env("PGPASSWORD", "")); // empty is unset, whatever the machine has

        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("set PGPASSWORD"), r.toString());
    }

    /** JAVA_TOOL_OPTIONS hands the agent to the doctor's JVM too: it must stay off, not pool the doctor's connection. */
    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void doctorRunsWithTheAgentInJavaToolOptionsAndTheAgentStaysOff(Path jdk) {
        ChildJvm.Result r = doctor(ChildJvm.on(jdk).env("PGPASSWORD", PASSWORD)
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ChildJvm.agentJar().toAbsolutePath()));

        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("Picked up JAVA_TOOL_OPTIONS"), r.toString()); // the agent was handed over
        assertTrue(r.stdout.contains("max_connections  20"), r.toString());
        assertEquals(List.of(), r.agentLines(), r.toString());
    }

    /**
     * A server (or anyone on the path) that answers "no TLS" gets no password unless the URL says to talk in
     * the clear: the doctor does not fall back by itself.
     */
    @Test
    void doctorSendsNoPasswordToAServerWithoutTlsUnlessTold() {
        ChildJvm.Result r = jar(ChildJvm.on(Jdks.current()).env("PGPASSWORD", PASSWORD), "doctor", "--url", PG.url(),
                "--user", "app");
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.stderr.contains("add sslmode=disable to --url"), r.toString());
        assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), r.toString());
    }

    /** The test server has no TLS: the doctor is told so, as an operator must tell it. */
    private static ChildJvm.Result doctor(ChildJvm jvm) {
        return jar(jvm, "doctor", "--url", PG.url() + "?sslmode=disable", "--user", "app");
    }

    private static ChildJvm.Result jar(ChildJvm jvm, String... args) {
        return jvm.runTool("java", concat(List.of("-jar", ChildJvm.agentJar().toAbsolutePath().toString()), args));
    }

    private static String[] concat(List<String> first, String... rest) {
        String[] all = first.toArray(new String[first.size() + rest.length]);
        System.arraycopy(rest, 0, all, first.size(), rest.length);
        return all;
    }

    /** A session of app's that sits in an open transaction, named so that the doctor's tables show it. */
    private static Connection idleInTransaction() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "app");
        properties.setProperty("password", PASSWORD);
        properties.setProperty("ApplicationName", PROBE);
        Connection connection = DriverManager.getConnection(PG.url(), properties);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
        return connection;
    }

    private static int pidOf(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getInt(1);
        }
    }

    /** The lines from the title starting with {@code title} up to the next blank line. */
    private static String section(String stdout, String title) {
        int start = stdout.indexOf("\n" + title);
        assertTrue(start >= 0, "no section " + title + " in\n" + stdout);
        int end = stdout.indexOf("\n\n", start + 1);
        return stdout.substring(start + 1, end < 0 ? stdout.length() : end);
    }
}
