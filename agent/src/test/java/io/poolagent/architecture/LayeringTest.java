package io.poolagent.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.poolagent.RootPackageProbe;
import io.poolagent.bootstrap.LauncherReachingConfig;
import io.poolagent.bootstrap.bridge.BridgeReachingJavaSql;
import io.poolagent.config.ConfigReachingPool;
import io.poolagent.log.LogReachingMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of {@link Layers} hold for the agent's classes; and each rule fails when a class breaks it, shown
 * with probe classes (test code, in the packages they name) that add one forbidden dependency each.
 */
class LayeringTest {

    private static JavaClasses agent;

    @BeforeAll
    static void readClasses() {
        agent = Layers.agentWith();
        assertTrue(agent.size() > 100, "the agent's compiled classes were found: " + agent.size());
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        Layers.layering().check(agent);
    }

    @Test
    void noPackageCycles() {
        Layers.noCycles().check(agent);
    }

    @Test
    void theBridgeUsesJavaBaseOnly() {
        Layers.bridgeSeesJavaBaseOnly().check(agent);
    }

    @Test
    void theLauncherNamesNoAgentClass() {
        Layers.launcherStandsAlone().check(agent);
    }

    @Test
    void theRootPackageIsEmpty() {
        Layers.rootPackageEmpty().check(agent);
    }

    @Test
    void logReachingUpToMetricsBreaksTheLayersAndMakesACycle() {
        JavaClasses withProbe = Layers.agentWith(LogReachingMetrics.class.getName());
        assertBroken(Layers.layering(), withProbe, "LogReachingMetrics");
        assertBroken(Layers.noCycles(), withProbe, "LogReachingMetrics");
    }

    @Test
    void configReachingUpToPoolBreaksTheLayers() {
        assertBroken(Layers.layering(), Layers.agentWith(ConfigReachingPool.class.getName()), "ConfigReachingPool");
    }

    @Test
    void aLauncherNamingAnAgentClassIsRefused() {
        assertBroken(Layers.launcherStandsAlone(), Layers.agentWith(LauncherReachingConfig.class.getName()),
                "LauncherReachingConfig");
    }

    @Test
    void aClassInTheRootPackageIsRefused() {
        JavaClasses withProbe = Layers.agentWith(RootPackageProbe.class.getName());
        assertBroken(Layers.rootPackageEmpty(), withProbe, "RootPackageProbe");
        assertBroken(Layers.layering(), withProbe, "RootPackageProbe"); // in no layer at all
    }

    @Test
    void aJavaSqlTypeInTheBridgeIsRefused() {
        assertBroken(Layers.bridgeSeesJavaBaseOnly(), Layers.agentWith(BridgeReachingJavaSql.class.getName()),
                "BridgeReachingJavaSql");
    }

    @Test
    void everyRulePassesWithoutTheProbes() {
        for (ArchRule rule : Layers.all()) {
            assertFalse(rule.evaluate(agent).hasViolation(), rule.getDescription());
        }
    }

    private static void assertBroken(ArchRule rule, JavaClasses classes, String culprit) {
        EvaluationResult result = rule.evaluate(classes);
        assertTrue(result.hasViolation(), "the rule must fail: " + rule.getDescription());
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertTrue(report.contains(culprit), "the report names " + culprit + ":\n" + report);
    }
}
