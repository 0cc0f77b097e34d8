package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.TlsConnections;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server that accepts TLS only: the agent pools verified TLS connections, a connection without TLS is
 * refused by the server with its SQLSTATE, and connections with other TLS settings (no verification, or
 * verification against another authority) never get a session of the verified pool.
 *
 * <p>One child JVM per JDK runs {@link TlsConnections} (all the steps, in order, in one JVM, so that the
 * verified pool exists when the others connect); each test reads one behaviour off that run.
 */
@Tag("slow")
class TlsTest {

    private static final String USER = "tls_app";
    private static final String PASSWORD = "tls-pw-6150";
    private static final int MAX_OPEN = 2;
    private static final int THREADS = 4;
    private static final int ITERATIONS = 10;
    private static final String FACADE_PACKAGE = "io.poolagent.";
    private static final String DRIVER_EXCEPTION = "org.postgresql.util.PSQLException";
    private static final Pattern READY = Pattern.compile("pool (\\S+) ready: ");

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.SCRAM).tlsOnly()
            .role(USER, PASSWORD);

    @TempDir
    static Path otherAuthority;

    private static final Map<Path, ChildJvm.Result> RUNS = new HashMap<>();

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void verifiedConnectionsArePooled(Path jdk) {
        ChildJvm.Result r = run(jdk);
        assertEquals(0, r.exitCode, r.toString());
        assertEquals(THREADS * ITERATIONS, r.intValue("verifiedOk"), r.toString());
        assertEquals(0, r.intValue("verifiedErrors"), r.toString());
        assertTrue(r.value("verifiedClasses").startsWith(FACADE_PACKAGE) && !r.value("verifiedClasses").contains(","),
                "every connection is the agent's facade\n" + r);
        assertTrue(r.intValue("verifiedBackends") <= MAX_OPEN, "40 connects, at most DB_MAX_OPEN_CONNS sessions\n" + r);
        assertTrue(r.intValue("sessions") <= MAX_OPEN, "the server counts at most DB_MAX_OPEN_CONNS sessions\n" + r);
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void theServerSeesEveryPooledSessionAsTls(Path jdk) {
        ChildJvm.Result r = run(jdk);
        assertEquals(0, r.intValue("verifiedNotTls"), "pg_stat_ssl.ssl of the borrowed session\n" + r);
        assertEquals(r.intValue("sessions"), r.intValue("tlsSessions"), r.toString());
        assertEquals("true", r.value("verifiedAfterwardsTls"), r.toString());
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void aConnectionWithoutTlsIsRefusedWithItsSqlState(Path jdk) {
        String[] plain = run(jdk).value("plain").split("\\|");
        String outcome = String.join(" | ", plain);
        assertEquals("28000", plain[0], "the server's own refusal reaches the application: " + outcome);
        assertEquals(DRIVER_EXCEPTION, plain[1], "the driver's exception, not one of the agent's: " + outcome);
        assertTrue(plain[3].contains("pg_hba.conf") && plain[3].contains("no encryption"), outcome);
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void otherTlsSettingsGetAPoolOfTheirOwn(Path jdk) {
        ChildJvm.Result r = run(jdk);
        assertEquals("true", r.value("requireTls"), r.toString());
        assertEquals("false", r.value("requireOnVerifiedBackend"), "sslmode=require was lent a verified session\n" + r);
        assertTrue(r.value("requireClass").startsWith(FACADE_PACKAGE), "sslmode=require is pooled too\n" + r);
        List<String> ready = r.agentLines().stream().filter(l -> READY.matcher(l).find()).toList();
        Set<String> names = new TreeSet<>();
        ready.forEach(line -> names.add(poolName(line)));
        assertEquals(2, ready.size(), "one ready pool for verify-full, one for require\n" + r);
        assertEquals(2, names.size(), "two pools, two names\n" + r);
        names.forEach(name -> assertTrue(name.startsWith(USER + "@127.0.0.1:" + PG.port() + "/postgres"), name));
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void aWrongRootCertificateIsRefusedEvenWhenTheVerifiedPoolExists(Path jdk) {
        String[] wrongCa = run(jdk).value("wrongCa").split("\\|");
        String outcome = String.join(" | ", wrongCa);
        assertFalse(wrongCa[0].equals("connected"), "a caller that trusts another authority got a session: " + outcome);
        assertEquals("08006", wrongCa[0], "pgjdbc's connection failure: " + outcome);
        assertEquals(DRIVER_EXCEPTION, wrongCa[1], "the driver's exception, not one of the agent's: " + outcome);
        assertTrue(wrongCa[2].startsWith("sun.security.provider.certpath.")
                || wrongCa[2].startsWith("java.security.cert."), "a certificate path failure at the root: " + outcome);
        assertTrue(wrongCa[3].startsWith("SSL error"), "the driver's certificate error: " + outcome);
        // pgjdbc calls it 08006 like a dropped connection, but waiting cannot fix a certificate: no retries.
        assertEquals(0, run(jdk).agentLinesContaining("retrying in"), run(jdk).toString());
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void thePasswordNeverAppearsInTheOutput(Path jdk) {
        ChildJvm.Result r = run(jdk);
        assertFalse(r.agentLines().isEmpty(), r.toString());
        assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), "the password got printed:\n" + r);
    }

    /** The doctor sends the password only to a server whose certificate it verified, when the server offers TLS. */
    @Test
    void theDoctorVerifiesTheServersCertificateBeforeSendingThePassword() {
        ChildJvm jvm = ChildJvm.on(Jdks.current()).env("PGPASSWORD", PASSWORD);
        String jar = ChildJvm.agentJar().toAbsolutePath().toString();

        ChildJvm.Result unverified = jvm.runTool("java", "-jar", jar, "doctor", "--url", PG.url(), "--user", USER);
        assertEquals(1, unverified.exitCode, unverified.toString());
        assertTrue(unverified.stderr.contains("verifies the server's certificate before sending a password"),
                unverified.toString());

        ChildJvm.Result verified = jvm.runTool("java", "-jar", jar, "doctor", "--url",
                PG.url() + "?sslrootcert=" + PG.rootCertificate(), "--user", USER);
        assertEquals(0, verified.exitCode, verified.toString());
        for (ChildJvm.Result r : List.of(unverified, verified)) {
            assertFalse(r.stdout.contains(PASSWORD) || r.stderr.contains(PASSWORD), r.toString());
        }
    }

    /** The child JVM of this JDK, run once for all the tests. */
    private static ChildJvm.Result run(Path jdk) {
        return RUNS.computeIfAbsent(jdk, TlsTest::connect);
    }

    private static ChildJvm.Result connect(Path jdk) {
        String verifyFull = "?sslmode=verify-full&sslrootcert=";
        Path wrongRoot = Files.exists(otherAuthority.resolve("ca.crt")) ? otherAuthority.resolve("ca.crt")
                : PostgresServer.certificateAuthority(otherAuthority, "some other CA");
        return ChildJvm.on(jdk).withAgent()
                .env("DB_MAX_OPEN_CONNS", String.valueOf(MAX_OPEN))
                .run(TlsConnections.class,
                        PG.url() + verifyFull + PG.rootCertificate(),
                        PG.url() + "?sslmode=require",
                        PG.url() + "?sslmode=disable",
                        PG.url() + verifyFull + wrongRoot,
                        USER, PASSWORD, String.valueOf(THREADS), String.valueOf(ITERATIONS));
    }

    private static String poolName(String readyLine) {
        Matcher m = READY.matcher(readyLine);
        m.find();
        return m.group(1);
    }
}
