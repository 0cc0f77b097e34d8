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

    @Test
    void anAutoServiceSharesWhatFixedServicesAndTheHeadroomLeave() {
        // budget 200 - 3 = 197; headroom max(12, ceil(19.7) = 20) = 20, within 197 / 2; fixed 2 x 30 = 60
        // left 197 - 20 - 60 = 117 for 4 pods of weight 1: floor(117 / 4) = 29 each, 4 x 29 = 116, 1 unused
        Run run = plan("--max-connections", "200", "fixed:2:30", "web:4:auto");

        assertEquals(0, run.code, run.out);
        assertEquals(List.of(
                "service  pods  max open  pods x max open",
                "fixed       2  30                     60",
                "web         4  auto                  116",
                "",
                "auto service  weight  share now",
                "web                1         29",
                "",
                "          now",
                "fixed      60  pods x max open of the fixed services",
                "headroom   20  DB_POOL_HEADROOM's default: max(12, 10%), at most half the budget",
                "auto      116  pods x share of the auto services",
                "total     196",
                "budget    197  max_connections 200 - 3 reserved",
                "unused      1  shares rounded down",
                ""), run.lines().subList(0, 15));
        assertTrue(run.lines().contains("fits: every auto pod gets at least DB_POOL_MIN_OPEN 1, the smallest share"
                + " being 29 (web)"), run.out);
        assertEquals("", run.err);
    }

    @Test
    void theExplanationSaysHowAutoWorksWithThePlansOwnNumbers() {
        String text = String.join(" ", plan("--max-connections", "200", "fixed:2:30", "web:4:auto").lines());

        assertTrue(text.contains("share = (budget - headroom - fixed services) x its weight / the sum of the weights"
                + " of all auto pods, rounded down: now (197 - 20 - 60) x weight / 4"), text);
        assertTrue(text.contains("A pod never goes below DB_POOL_MIN_OPEN (1)"), text);
        assertTrue(text.contains("every DB_POOL_SHARE_PERIOD (default 10s)"), text);
        assertTrue(text.contains("The headroom takes the buffer's place"), text);
        assertTrue(plan("--max-connections", "200", "fixed:2:30", "web:4:auto").lines().stream()
                .allMatch(line -> line.length() <= 120));
    }

    @Test
    void weightsSplitTheShare() {
        // budget 103 - 3 = 100; headroom 10; no fixed service: left 90 for weights 1 + 3 = 4
        // a: floor(90 x 1 / 4) = 22; b: floor(90 x 3 / 4) = floor(67.5) = 67; 22 + 67 = 89, 1 unused
        Run run = plan("--max-connections", "103", "--headroom", "10", "a:1:auto", "b:1:auto*3");

        assertEquals(0, run.code, run.out);
        assertEquals(List.of(
                "auto service  weight  share now",
                "a                  1         22",
                "b                  3         67"), run.lines().subList(4, 7));
        assertTrue(run.lines().contains("auto       89  pods x share of the auto services"), run.out);
        assertTrue(run.lines().contains("unused      1  shares rounded down"), run.out);
    }

    @Test
    void atMaxPodsEveryPodOfEveryAutoServiceCountsAndFixedServicesCountAtTheirMaximum() {
        // budget 497; headroom max(12, ceil(49.7) = 50) = 50
        // now: fixed 3 x 25 = 75, left 497 - 50 - 75 = 372, weights 2 x 2 + 2 x 1 = 6
        //      publish-order floor(372 x 2 / 6) = 124, process-order floor(372 / 6) = 62: 248 + 124 = 372
        // max: fixed 10 x 25 = 250, left 197, weights 6 x 2 + 2 x 1 = 14
        //      publish-order floor(394 / 14) = 28, process-order floor(197 / 14) = 14: 168 + 28 = 196, 1 unused
        Run run = plan("--max-connections", "500", "auth-service:3:25:10", "publish-order:2:auto*2:6",
                "process-order:2:auto");

        assertEquals(0, run.code, run.out);
        assertEquals(List.of(
                "service        pods  max open  pods x max open  max pods  at max pods",
                "auth-service      3  25                     75        10          250",
                "publish-order     2  auto*2                248         6          168",
                "process-order     2  auto                  124         -           28",
                "",
                "auto service   weight  share now  share at max pods",
                "publish-order       2        124                 28",
                "process-order       1         62                 14",
                "",
                "          now  at max pods",
                "fixed      75          250  pods x max open of the fixed services",
                "headroom   50           50  DB_POOL_HEADROOM's default: max(12, 10%), at most half the budget",
                "auto      372          196  pods x share of the auto services",
                "total     497          496",
                "budget    497          497  max_connections 500 - 3 reserved",
                "unused      0            1  shares rounded down"), run.lines().subList(0, 16));
        assertTrue(String.join(" ", run.lines()).contains("now (497 - 50 - 75) x weight / 6, at max pods"
                + " (497 - 50 - 250) x weight / 14"), run.out);
        assertTrue(run.out.endsWith("fits: every auto pod gets at least DB_POOL_MIN_OPEN 1, the smallest share"
                + " being 14 (process-order at max pods)\n"), run.out);
    }

    @Test
    void autoDoesNotFitWhenFixedServicesLeaveLessThanOnePerPod() {
        // budget 50; headroom max(12, 5) = 12, within 50 / 2; fixed 30: left 50 - 12 - 30 = 8 both now and
        // at max pods. now 3 pods: floor(8 / 3) = 2, fits, unused 50 - 30 - 12 - 3 x 2 = 2; at max 12 pods:
        // floor(8 / 12) = 0, held at 1: 12 x 1 = 12, 4 more than left (unused -4); a pod gets 1 only when
        // left >= 12: 4 slots short
        Run run = plan("--max-connections", "53", "fixed:1:30", "web:3:auto:12");

        assertEquals(1, run.code, run.out);
        assertTrue(run.lines().contains("unused      2           -4  auto pods held at their floor take more than is"
                + " left"), run.out);
        String text = String.join(" ", run.lines());
        assertTrue(text.contains("does not fit at max pods (now it does): the fixed services' 30 and the headroom 12"
                + " leave 8 of the budget 50 to 12 auto pods, whose weights sum to 12"), run.out);
        assertTrue(run.lines().contains("  web: a pod would get 0, below DB_POOL_MIN_OPEN 1: 4 slots short"), run.out);
        assertTrue(text.contains("raise max_connections"), run.out);
    }

    @Test
    void onlyTheServicesBelowTheirFloorAreNamedWithHowManySlotsTheyLack() {
        // budget 97; headroom 12; fixed 83: left 97 - 12 - 83 = 2 for weights 2 x 1 + 1 x 3 = 5
        // a: floor(2 / 5) = 0, needs left >= ceil(1 x 5 / 1) = 5: 3 short; b: floor(6 / 5) = 1, fits
        Run run = plan("--max-connections", "100", "fixed:1:83", "a:2:auto", "b:1:auto*3");

        assertEquals(1, run.code, run.out);
        assertTrue(run.lines().contains("  a: a pod would get 0, below DB_POOL_MIN_OPEN 1: 3 slots short"), run.out);
        assertTrue(run.lines().stream().noneMatch(line -> line.startsWith("  b:")), run.out);
        assertTrue(run.out.startsWith("service"), run.out);
        assertTrue(run.out.contains("does not fit now: "), run.out);
    }

    @Test
    void fixedServicesOverTheBudgetLeaveNothingAndTheShortfallCountsTheirExcessToo() {
        // budget 97; headroom 12; fixed 4 x 25 = 100: left 97 - 12 - 100 = -15, so nothing
        // now weights 2 + 3 = 5: a needs 5, 5 + 15 = 20 short; b needs ceil(5 / 3) = 2, 2 + 15 = 17 short
        // at max weights 2 + 4 x 3 = 14: a needs 14, 14 + 15 = 29 short
        Run run = plan("--max-connections", "100", "fixed:4:25", "a:2:auto", "b:1:auto*3:4");

        assertEquals(1, run.code, run.out);
        String text = String.join(" ", run.lines());
        assertTrue(text.contains("does not fit now: the fixed services' 100 and the headroom 12 leave 0 of the budget"
                + " 97 to 3 auto pods, whose weights sum to 5"), run.out);
        assertTrue(run.lines().contains("  a: a pod would get 0, below DB_POOL_MIN_OPEN 1: 20 slots short"), run.out);
        assertTrue(run.lines().contains("  b: a pod would get 0, below DB_POOL_MIN_OPEN 1: 17 slots short"), run.out);
        assertTrue(run.lines().contains("At max pods it is worse: up to 29 slots short."), run.out);
    }

    @Test
    void minOpenAndCapBoundTheShareAndTheFloorDecidesTheFit() {
        // budget 97; headroom 5; fixed 4 x 20 = 80: left 12 for weights 2 x 1 + 1 x 3 = 5
        // a: floor(12 / 5) = 2; b: floor(36 / 5) = 7, capped at 5
        Run capped = plan("--max-connections", "100", "--headroom", "5", "--min-open", "2", "--cap", "5",
                "fixed:4:20", "a:2:auto", "b:1:auto*3");

        assertEquals(0, capped.code, capped.out);
        assertEquals(List.of("a                  1          2", "b                  3          5"),
                capped.lines().subList(6, 8));
        assertTrue(capped.lines().contains("unused      3  shares rounded down or capped at 5"), capped.out);
        assertTrue(String.join(" ", capped.lines()).contains("DB_POOL_MIN_OPEN (2) nor above DB_POOL_MAX_OPEN_CAP (5)"),
                capped.out);

        // with a floor of 3, a's 2 is short: it needs left >= ceil(3 x 5 / 1) = 15, 3 more than 12
        Run floor = plan("--max-connections", "100", "--headroom", "5", "--min-open", "3", "fixed:4:20", "a:2:auto",
                "b:1:auto*3");

        assertEquals(1, floor.code, floor.out);
        assertTrue(floor.lines().contains("  a: a pod would get 2, below DB_POOL_MIN_OPEN 3: 3 slots short"),
                floor.out);
    }

    @ParameterizedTest
    @CsvSource({
            // max_connections, --headroom ("" for the default), expected headroom with 3 reserved
            "100, '', 12",   // budget 97: max(12, ceil(9.7) = 10) = 12
            "123, '', 12",   // budget 120: max(12, 12) = 12
            "124, '', 13",   // budget 121: max(12, ceil(12.1) = 13) = 13
            "500, '', 50",   // budget 497: max(12, ceil(49.7) = 50) = 50
            "1003, '', 100", // budget 1000: 100
            "27, '', 12",    // budget 24: max(12, 3) = 12, just half of 24
            "23, '', 10",    // budget 20: max(12, 2) = 12, but at most 20 / 2 = 10
            "18, '', 7",     // budget 15: max(12, 2) = 12, but at most 15 / 2 = 7
            "100, 15%, 15",  // ceil(97 x 0.15) = ceil(14.55) = 15
            "100, 0%, 0",
            "100, 90%, 88",  // ceil(87.3)
            "100, 0, 0",
            "100, 60, 60"})  // slots as given, more than half the budget or not, as the agent does
    void theHeadroomIsTheAgentsDefaultOrWhatIsGiven(String maxConnections, String headroom, long expected) {
        List<String> args = new ArrayList<>(List.of("--max-connections", maxConnections, "a:1:auto"));
        if (!headroom.isEmpty()) {
            args.addAll(List.of("--headroom", headroom));
        }

        assertEquals(expected, plan(args.toArray(new String[0])).lines().stream()
                .filter(line -> line.startsWith("headroom")).map(line -> Long.parseLong(line.split(" +")[1]))
                .findFirst().orElseThrow());
    }

    @Test
    void theBufferStillWarnsWhenARolloutOfTheFixedServicesWouldNotFitBesideTheAutoFloors() {
        // budget 297; headroom 30; at max: fixed 250, left 17, weights 14: shares 2 and 1, so it fits;
        // but fixed 250 + buffer 50 + 8 auto pods x 1 = 308 > 297 by 11: a note, not a failure
        Run run = plan("--max-connections", "300", "auth-service:3:25:10", "publish-order:2:auto*2:6",
                "process-order:2:auto");

        assertEquals(0, run.code, run.out);
        assertTrue(String.join(" ", run.lines()).contains("note: a rollout of the fixed services may not fit: 250 +"
                + " buffer 50 (20%) + 8 auto pods at their floor 1 = 308 is over the budget 297 by 11"), run.out);
        assertTrue(plan("--max-connections", "500", "auth-service:3:25:10", "publish-order:2:auto*2:6",
                "process-order:2:auto").lines().stream().noneMatch(line -> line.startsWith("note:")));
    }

    @Test
    void aFixedOnlyPlanWithAutoOptionsKeepsItsOutputAndSaysTheyDoNothing() {
        Run plain = plan(runbook("--max-connections", "500"));
        Run withOptions = plan(runbook("--max-connections", "500", "--headroom", "20%", "--cap", "10"));

        assertEquals(0, withOptions.code, withOptions.out);
        assertEquals(plain.out + "--headroom, --min-open and --cap size auto services only; none is auto here.\n",
                withOptions.out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--max-connections 100 a:1:auto*0 | service \"a:1:auto*0\" is not valid: WEIGHT \"0\" is not a whole number from 1 to 100; expected MAX_OPEN auto or auto*WEIGHT with WEIGHT a whole number from 1 to 100 (DB_POOL_SHARE_WEIGHT), e.g. reports:2:auto*2:6",
            "--max-connections 100 a:1:auto*x | service \"a:1:auto*x\" is not valid: WEIGHT \"x\" is not a whole number",
            "--max-connections 100 a:1:auto*101 | service \"a:1:auto*101\" is not valid: WEIGHT \"101\"",
            "--max-connections 100 a:1:auto* | service \"a:1:auto*\" is not valid: WEIGHT \"\"",
            "--max-connections 100 a:1:auto*2.5 | service \"a:1:auto*2.5\" is not valid: WEIGHT \"2.5\"",
            "--max-connections 100 a:1:autox | service \"a:1:autox\" is not valid: expected SERVICE:PODS:MAX_OPEN[:MAX_PODS] with whole numbers from 1 to 1000000 and MAX_PODS at least PODS, e.g. auth-service:3:25:10; MAX_OPEN may also be auto or auto*WEIGHT",
            "--max-connections 100 a:3:auto:2 | service \"a:3:auto:2\" is not valid: MAX_PODS 2 is below PODS 3",
            "--max-connections 100 --headroom 95% a:1:auto | --headroom=\"95%\" is not valid: expected DB_POOL_HEADROOM of the auto services: a number of connections from 0 to 10000 like 10, or a percentage of the budget from 0% to 90% like 15%",
            "--max-connections 100 --headroom x a:1:auto | --headroom=\"x\" is not valid: expected DB_POOL_HEADROOM",
            "--max-connections 100 --headroom -1 a:1:auto | --headroom=\"-1\" is not valid",
            "--max-connections 100 --headroom 10001 a:1:auto | --headroom=\"10001\" is not valid",
            "--max-connections 100 --min-open 0 a:1:auto | --min-open=\"0\" is not valid: expected DB_POOL_MIN_OPEN of the auto services, a whole number from 1 to 10000",
            "--max-connections 100 --cap x a:1:auto | --cap=\"x\" is not valid: expected DB_POOL_MAX_OPEN_CAP of the auto services: 0 for none",
            "--max-connections 100 --min-open 5 --cap 3 a:1:auto | --cap=\"3\" is not valid: expected 0 for none, or a whole number from --min-open (5) to 10000"})
    void badAutoInputExitsTwoWithOneLineNamingTheArgumentTheValueAndTheExpectedForm(String args, String line) {
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
