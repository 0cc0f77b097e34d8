package io.poolagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The doctor's arguments and environment, checked before anything connects. */
class DoctorTest {

    private static final String URL = "jdbc:postgresql://db:5432/auth";

    @ParameterizedTest
    @ValueSource(strings = {"--password", "--password=secret"})
    void aPasswordArgumentIsRefusedAndPointsToPgpassword(String argument) {
        UsageException e = assertThrows(UsageException.class,
                () -> target(Map.of(), "--url", URL, argument, "secret"));

        assertTrue(e.getMessage().startsWith("--password is refused: "), e.getMessage());
        assertTrue(e.getMessage().contains("set PGPASSWORD"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {URL + "?password=secret", URL + "?user=app&PASSWORD=secret&ssl=true"})
    void aPasswordInTheUrlIsRefusedWithoutRepeatingIt(String url) {
        UsageException e = assertThrows(UsageException.class, () -> target(Map.of(), "--url", url));

        assertTrue(e.getMessage().contains("set PGPASSWORD"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://app:secret@db:5432/auth", "jdbc:postgresql://app:se;cret@db/auth",
        "jdbc:postgresql://alice:se;c/r?et@db/auth"})
    void aUserAndPasswordBeforeTheHostAreRefused(String url) {
        UsageException e = assertThrows(UsageException.class, () -> target(Map.of(), "--url", url));

        assertFalse(e.getMessage().contains("cret"), e.getMessage());
    }

    @Test
    void aLibpqStyleUrlIsRefusedWithoutEchoingIt() {
        UsageException e = assertThrows(UsageException.class,
                () -> target(Map.of(), "--url", "postgres://app:S3cretPw@db:5432/app"));

        assertFalse(e.getMessage().contains("S3cretPw"), e.getMessage());
        assertTrue(e.getMessage().startsWith("--url is not valid (not shown"), e.getMessage());
    }

    @Test
    void aKeyPasswordInTheUrlIsRefusedLikeAPassword() {
        UsageException e = assertThrows(UsageException.class,
                () -> target(Map.of(), "--url", URL + "?sslmode=verify-full&sslpassword=KeyPw123"));

        assertFalse(e.getMessage().contains("KeyPw123"), e.getMessage());
        assertTrue(e.getMessage().contains("PGPASSWORD"), e.getMessage());
    }

    @Test
    void theUserComesFromTheFlagThenTheUrlThenPguserThenTheOsUser() throws UsageException {
        Map<String, String> pguser = Map.of("PGUSER", "from-env");

        assertEquals("flag", target(pguser, "--url", URL + "?user=in-url", "--user", "flag").user);
        assertEquals("in-url", target(pguser, "--url", URL + "?user=in-url").user);
        assertEquals("from-env", target(pguser, "--url", URL).user);
        assertEquals("os-user", target(Map.of(), "--url", URL).user);
    }

    @Test
    void theFlagsUserWinsBecauseTheUrlsIsTakenOut() throws UsageException {
        Doctor.Target target = target(Map.of(), "--url", URL + "?user=in-url&sslmode=require", "--user", "flag");

        assertEquals(URL + "?sslmode=require", target.url); // pgjdbc would let the URL's user win
        assertEquals("flag", target.properties().getProperty("user"));
    }

    @Test
    void thePasswordComesFromPgpasswordOnly() throws UsageException {
        assertEquals("s3cret", target(Map.of("PGPASSWORD", "s3cret"), "--url", URL).properties().getProperty("password"));
        assertNull(target(Map.of(), "--url", URL).properties().getProperty("password"));
        assertNull(target(Map.of("PGPASSWORD", ""), "--url", URL).password);
    }

    @Test
    void theDoctorNamesItselfToTheServer() throws UsageException {
        Properties properties = target(Map.of(), "--url", URL).properties();

        assertEquals("pool-agent doctor", properties.getProperty("ApplicationName"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--user app", "--url", "--url jdbc:mysql://db/auth", "--url " + URL + " extra",
            "--url " + URL + " --host db"})
    void badUsageIsRefused(String args) {
        List<String> words = args.isEmpty() ? List.of() : List.of(args.split(" "));

        assertThrows(UsageException.class, () -> Doctor.Target.parse(words, Map.of(), "os-user"));
    }

    @Test
    void aFailureNamesTheSqlstateButNeverThePassword() throws UsageException {
        Doctor.Target target = target(Map.of("PGPASSWORD", "hunter2"), "--url", URL);
        Properties properties = target.properties();

        String plain = Doctor.failure(new SQLException("FATAL: password authentication failed", "28P01"), target, properties);
        String echoing = Doctor.failure(new SQLException("bad password hunter2", "28P01"), target, properties);

        assertEquals(URL + " as os-user: FATAL: password authentication failed (SQLSTATE 28P01)", plain);
        assertFalse(echoing.contains("hunter2"), echoing);
    }

    @Test
    void aServerAskingForAPasswordThatNobodyGaveIsExplained() throws UsageException {
        Doctor.Target target = target(Map.of(), "--url", URL);

        String line = Doctor.failure(new SQLException("no password was provided", "08004"), target, target.properties());

        assertTrue(line.endsWith("(SQLSTATE 08004); set PGPASSWORD, or run this on a terminal to be prompted"), line);
    }

    private static Doctor.Target target(Map<String, String> env, String... args) throws UsageException {
        return Doctor.Target.parse(List.of(args), env, "os-user");
    }
}
