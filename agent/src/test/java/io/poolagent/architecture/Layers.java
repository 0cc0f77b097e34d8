package io.poolagent.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;

import java.util.List;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The agent's layers as rules over its compiled classes (docs/architecture.md draws the same picture). One
 * {@code getConnection()} flows down: an advice in {@code intercept} calls the {@code bridge}, which calls
 * {@code pool}, which uses {@code session}, {@code failover}, {@code replica}, {@code share}, {@code metrics}, {@code retry} and the two rooms for
 * other libraries' internals ({@code hikari}, {@code pgjdbc}); {@code config}, {@code log} and {@code runtime}
 * sit at the bottom. {@code install} wires it all at start-up; {@code cli} is the jar's command line.
 */
final class Layers {

    private static final String ROOT = "io.poolagent";

    private Layers() {
    }

    /** The agent's main classes, without the tests, plus the test classes whose names are given. */
    static JavaClasses agentWith(String... testClassNames) {
        List<String> extra = List.of(testClassNames);
        ImportOption mainAndChosen = location -> !ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
                ? extra.stream().anyMatch(name -> location.contains(name.replace('.', '/') + ".class"))
                : true;
        return new ClassFileImporter().withImportOption(mainAndChosen).importPackages(ROOT);
    }

    static ArchRule layering() {
        return Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("launcher").definedBy(ROOT + ".bootstrap")
                .layer("bridge").definedBy(ROOT + ".bootstrap.bridge")
                .layer("install").definedBy(ROOT + ".install..")
                .layer("cli").definedBy(ROOT + ".cli..")
                .layer("intercept").definedBy(ROOT + ".intercept..")
                .layer("pool").definedBy(ROOT + ".pool..")
                .layer("failover").definedBy(ROOT + ".failover..")
                .layer("replica").definedBy(ROOT + ".replica..")
                .layer("share").definedBy(ROOT + ".share..")
                .layer("metrics").definedBy(ROOT + ".metrics..")
                .layer("session").definedBy(ROOT + ".session..")
                .layer("retry").definedBy(ROOT + ".retry..")
                .layer("hikari").definedBy(ROOT + ".hikari..")
                .layer("pgjdbc").definedBy(ROOT + ".pgjdbc..")
                .layer("config").definedBy(ROOT + ".config..")
                .layer("log").definedBy(ROOT + ".log..")
                .layer("runtime").definedBy(ROOT + ".runtime..")
                .whereLayer("launcher").mayNotAccessAnyLayer()
                .whereLayer("bridge").mayNotAccessAnyLayer()
                .whereLayer("install").mayOnlyAccessLayers("bridge", "intercept", "pool", "metrics", "config", "log",
                        "runtime")
                .whereLayer("cli").mayOnlyAccessLayers("session", "pgjdbc", "config", "log", "runtime")
                .whereLayer("intercept").mayOnlyAccessLayers("bridge", "session", "hikari", "pgjdbc", "log", "runtime")
                .whereLayer("pool").mayOnlyAccessLayers("bridge", "failover", "replica", "share", "metrics", "session",
                        "retry", "hikari", "pgjdbc", "config", "log", "runtime")
                .whereLayer("replica").mayNotAccessAnyLayer()
                .whereLayer("failover").mayOnlyAccessLayers("retry", "pgjdbc", "log")
                .whereLayer("share").mayOnlyAccessLayers("metrics", "config", "log", "runtime")
                .whereLayer("metrics").mayOnlyAccessLayers("hikari", "config", "log", "runtime")
                .whereLayer("session").mayOnlyAccessLayers("pgjdbc", "config", "log")
                .whereLayer("retry").mayOnlyAccessLayers("config", "log")
                .whereLayer("hikari").mayOnlyAccessLayers("config", "log", "runtime")
                .whereLayer("pgjdbc").mayOnlyAccessLayers("log")
                .whereLayer("config").mayOnlyAccessLayers("log")
                .whereLayer("log").mayNotAccessAnyLayer()
                .whereLayer("runtime").mayNotAccessAnyLayer()
                .because("each layer may use only the layers below it (docs/architecture.md)");
    }

    static ArchRule noCycles() {
        return slices().matching(ROOT + ".(**)").should().beFreeOfCycles();
    }

    /**
     * The bridge is defined in the boot class loader, which sees {@code java.base} only: a type of
     * {@code java.sql} there (or of the agent's other packages) would fail to link in the application's JVM.
     */
    static ArchRule bridgeSeesJavaBaseOnly() {
        return classes().that().resideInAPackage(ROOT + ".bootstrap.bridge")
                .should().onlyDependOnClassesThat(inJavaBaseOrBridge())
                .because("the boot class loader defines the bridge and sees only java.base");
    }

    /**
     * The launcher is loaded by the system class loader from the jar's normal path, before the agent's own
     * loader exists: it may name nothing of the agent's but by string.
     */
    static ArchRule launcherStandsAlone() {
        return noClasses().that().resideInAPackage(ROOT + ".bootstrap")
                .should().dependOnClassesThat(resideInAPackage(ROOT + "..").and(resideOutsideOfPackage(ROOT + ".bootstrap")))
                .because("the launcher runs before the agent's class loader exists");
    }

    static ArchRule rootPackageEmpty() {
        return noClasses().should().resideInAPackage(ROOT)
                .because("every class belongs to the layer that names its job")
                .allowEmptyShould(true);
    }

    static List<ArchRule> all() {
        return List.of(layering(), noCycles(), bridgeSeesJavaBaseOnly(), launcherStandsAlone(), rootPackageEmpty());
    }

    private static DescribedPredicate<JavaClass> inJavaBaseOrBridge() {
        return DescribedPredicate.describe("are in java.base or the bridge", type -> {
            JavaClass base = type.getBaseComponentType();
            if (base.isPrimitive() || base.getPackageName().equals(ROOT + ".bootstrap.bridge")) {
                return true;
            }
            try {
                return "java.base".equals(Class.forName(base.getName(), false, null).getModule().getName());
            } catch (ClassNotFoundException notInTheBootLoader) {
                return false;
            }
        });
    }
}
