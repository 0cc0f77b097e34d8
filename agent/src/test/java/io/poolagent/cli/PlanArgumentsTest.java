package io.poolagent.cli;

import io.poolagent.config.Setting;
import io.poolagent.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auto services' options stand for the agent's settings: the same catalogue gives their limits and defaults. */
class PlanArgumentsTest {

    @Test
    void theHelpQuotesTheCataloguesDefaults() {
        String help = PlanArguments.help();

        assertTrue(help.contains("(DB_POOL_HEADROOM, default " + Setting.HEADROOM.defaultText() + ")"), help);
        assertTrue(help.contains("(DB_POOL_MIN_OPEN,\n      default " + Setting.MIN_OPEN.defaultText() + ")"), help);
        assertTrue(help.contains("(DB_POOL_MAX_OPEN_CAP, default " + Setting.MAX_OPEN_CAP.defaultText() + ")"), help);
        assertTrue(Commands.usage().contains(help));
    }

    @Test
    void withoutTheAutoOptionsAPlanSizesAsTheAgentsDefaultsDo() throws UsageException {
        Plan plan = PlanArguments.parse(List.of("--max-connections", "100", "a:1:auto"));

        assertEquals(Setting.MIN_OPEN.defaultValue(), plan.sizing.minOpen);
        assertEquals(0, plan.sizing.cap, "none");
        assertEquals(Setting.SHARE_WEIGHT.defaultValue(), plan.services.get(0).weight);
    }

    /** Each value is accepted by plan exactly when the agent accepts it for the setting the option stands for. */
    @ParameterizedTest
    @CsvSource({
            "--min-open, DB_POOL_MIN_OPEN, 0", "--min-open, DB_POOL_MIN_OPEN, 1",
            "--min-open, DB_POOL_MIN_OPEN, 10000", "--min-open, DB_POOL_MIN_OPEN, 10001",
            "--cap, DB_POOL_MAX_OPEN_CAP, 0", "--cap, DB_POOL_MAX_OPEN_CAP, 1",
            "--cap, DB_POOL_MAX_OPEN_CAP, 10000", "--cap, DB_POOL_MAX_OPEN_CAP, 10001",
            "--headroom, DB_POOL_HEADROOM, 0", "--headroom, DB_POOL_HEADROOM, 10000",
            "--headroom, DB_POOL_HEADROOM, 10001", "--headroom, DB_POOL_HEADROOM, 90%",
            "--headroom, DB_POOL_HEADROOM, 91%",
            "weight, DB_POOL_SHARE_WEIGHT, 0", "weight, DB_POOL_SHARE_WEIGHT, 1", "weight, DB_POOL_SHARE_WEIGHT, 100",
            "weight, DB_POOL_SHARE_WEIGHT, 101"})
    void planTakesWhatTheAgentTakes(String option, String setting, String value) {
        List<String> args = option.equals("weight") ? List.of("--max-connections", "100", "a:1:auto*" + value)
                : List.of("--max-connections", "100", option, value, "a:1:auto");
        boolean planTakesIt;
        try {
            PlanArguments.parse(args);
            planTakesIt = true;
        } catch (UsageException e) {
            planTakesIt = false;
        }
        Settings agent = Settings.load(Map.of(Settings.MAX_OPEN, Settings.AUTO, setting, value), null);

        assertEquals(agent.problems().isEmpty(), planTakesIt, agent.problems()::toString);
    }
}
