package io.poolagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanTest {

    /** The runbook's example: 3 x 25 + 2 x 15 + 2 x 10 = 125, plus 20% = 150. */
    private static final String[] RUNBOOK = {"auth-service:3:25", "publish-order:2:15", "process-order:2:10"};

    @Test
    void theRunbooksExampleFitsInFiveHundredConnections() {
        Run run = plan(runbook("--max-connections", "500"));

        assertEquals(0, run.code, run.out);
        assertEquals(List.of(
                "service        pods  max open  pods x max open",
                "auth-service      3        25               75",
                "publish-order     2        15               30",
                "process-order     2        10               20",
                "",
                "            now",
                "subtotal    125",
                "buffer 20%   25",
                "total       150",
                "budget      497  max_connections 500 - 3 reserved",
                "headroom    347",
                "",
                "MAX_OPEN is DB_MAX_OPEN_CONNS of one pod: the most connections that pod's pool opens.",
                "fits: total 150 within the budget 497"), run.lines());
        assertEquals("", run.err);
    }

    @Test
    void theRunbooksExampleDoesNotFitInAHundredAndSaysByHowMuch() {
        Run run = plan(runbook("--max-connections", "100"));

        assertEquals(1, run.code, run.out);
        assertTrue(run.lines().contains("headroom    -53"), run.out);
        assertTrue(run.out.contains("does not fit now: total 150 is over the budget 97 by 53\n"), run.out);
        assertTrue(run.out.contains("PgBouncer"), run.out);
    }

    @Test
    void maxPodsAddTheTotalsAtTheAutoscalersMaximum() {
        Run run = plan("--max-connections", "500", "auth-service:3:25:10", "publish-order:2:15", "process-order:2:10");

        assertEquals(0, run.code, run.out);
        assertEquals(List.of(
                "service        pods  max open  pods x max open  max pods  at max pods",
                "auth-service      3        25               75        10          250",
                "publish-order     2        15               30         -           30",
                "process-order     2        10               20         -           20",
                "",
                "            now  at max pods",
                "subtotal    125          300",
                "buffer 20%   25           60",
                "total       150          360",
                "budget      497          497  max_connections 500 - 3 reserved",
                "headroom    347          137"), run.lines().subList(0, 11));
        assertTrue(run.out.contains("fits: total 150 now and 360 at max pods, within the budget 497"), run.out);
    }

    @Test
    void aPlanThatFitsNowButNotAtMaxPodsDoesNotFit() {
        Run run = plan("--max-connections", "300", "auth-service:3:25:10", "publish-order:2:15", "process-order:2:10");

        assertEquals(1, run.code, run.out);
        assertTrue(run.out.contains("does not fit at max pods: total 360 is over the budget 297 by 63 (now: 150, fits)"),
                run.out);
    }

    @Test
    void reservedAndBufferChangeTheBudgetAndTheTotal() {
        Run run = plan(runbook("--max-connections", "150", "--reserved", "0", "--buffer", "20%"));

        assertEquals(0, run.code, run.out); // exactly 150 of 150: a plan may use the whole budget
        assertTrue(run.lines().contains("headroom      0"), run.out);
        assertEquals(1, plan(runbook("--max-connections", "150", "--reserved", "1")).code);
        assertEquals(0, plan(runbook("--max-connections", "150", "--buffer=0")).code);
    }

    @ParameterizedTest
    @CsvSource({
            // subtotal, buffer %, expected buffer: rounded up, a buffer is a floor
            "7, 20, 2",
            "125, 20, 25",
            "1, 1, 1",
            "10, 0, 0",
            "10, 100, 10",
            "99, 33, 33",
            "101, 33, 34"})
    void theBufferIsRoundedUp(int subtotal, int percent, long expected) {
        Plan plan = new Plan(1000, 3, percent, List.of(new Plan.Service("s", subtotal, 1, 0)));

        assertEquals(expected, plan.buffer(false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--max-connections abc a:1:1 | --max-connections=\"abc\" is not valid: expected the server's max_connections (SHOW max_connections), a whole number from 1 to 1000000",
            "--max-connections 0 a:1:1 | --max-connections=\"0\" is not valid: expected the server's max_connections",
            "--max-connections -5 a:1:1 | --max-connections=\"-5\" is not valid",
            "--max-connections 99999999 a:1:1 | --max-connections=\"99999999\" is not valid",
            "a:1:1 | --max-connections is missing: expected the server's max_connections",
            "--max-connections | --max-connections has no value: expected the server's max_connections",
            "--max-connections 100 --max-connections 200 a:1:1 | --max-connections is given twice",
            "--max-connections 100 --reserved 100 a:1:1 | --reserved=\"100\" is not valid: expected the slots kept from applications (superuser_reserved_connections, plus reserved_connections from PostgreSQL 16), a whole number from 0, less than --max-connections 100",
            "--max-connections 100 --reserved x a:1:1 | --reserved=\"x\" is not valid",
            "--max-connections 100 --buffer 101% a:1:1 | --buffer=\"101%\" is not valid: expected a percentage like 20%, from 0% to 100%",
            "--max-connections 100 --buffer 0.2 a:1:1 | --buffer=\"0.2\" is not valid",
            "--max-connections 100 --buffer -5% a:1:1 | --buffer=\"-5%\" is not valid",
            "--max-connections 100 --pods 3 a:1:1 | unknown option --pods: expected one of --max-connections, --reserved, --buffer",
            "--max-connections 100 | no service given: expected one SERVICE:PODS:MAX_OPEN[:MAX_PODS] per service",
            "--max-connections 100 auth:3 | service \"auth:3\" is not valid: expected SERVICE:PODS:MAX_OPEN[:MAX_PODS] with whole numbers from 1 to 1000000 and MAX_PODS at least PODS, e.g. auth-service:3:25:10",
            "--max-connections 100 auth:3:25:10:1 | service \"auth:3:25:10:1\" is not valid: expected SERVICE:PODS",
            "--max-connections 100 :3:25 | service \":3:25\" is not valid",
            "--max-connections 100 auth:0:25 | service \"auth:0:25\" is not valid",
            "--max-connections 100 auth:3:x | service \"auth:3:x\" is not valid",
            "--max-connections 100 auth:3:2.5 | service \"auth:3:2.5\" is not valid",
            "--max-connections 100 auth:3:25: | service \"auth:3:25:\" is not valid",
            "--max-connections 100 auth:3:25:2 | service \"auth:3:25:2\" is not valid: MAX_PODS 2 is below PODS 3; expected SERVICE:PODS",
            "--max-connections 100 auth:3:25 auth:1:5 | service \"auth:1:5\" is not valid: auth is given twice; expected each service once"})
    void badInputExitsTwoWithOneLineNamingTheArgumentTheValueAndTheExpectedForm(String args, String line) {
        Run run = plan(args.split(" "));

        assertEquals(2, run.code, run.err);
        assertEquals("", run.out);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.startsWith("plan: " + line), run.err);
    }

    /** The options given, then the runbook's services. */
    private static String[] runbook(String... options) {
        List<String> args = new ArrayList<>(Arrays.asList(options));
        args.addAll(Arrays.asList(RUNBOOK));
        return args.toArray(new String[0]);
    }

    private static Run plan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Plan.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class Run {
        final int code;
        final String out;
        final String err;

        Run(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        List<String> lines() {
            return out.lines().collect(Collectors.toList());
        }
    }
}
