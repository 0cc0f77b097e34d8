package io.poolagent.bootstrap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table is what {@code sun.java.command} actually says, captured from a premain on OpenJDK 17 and
 * Temurin 25 (each tool run with {@code --version}); the tools' names are the same on both.
 */
class AgentMainTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "jdk.jcmd/sun.tools.jcmd.JCmd --version",
            "jdk.jcmd/sun.tools.jps.Jps --version",
            "jdk.jcmd/sun.tools.jstack.JStack --version",
            "jdk.jcmd/sun.tools.jinfo.JInfo --version",
            "jdk.jcmd/sun.tools.jmap.JMap --version",
            "jdk.jcmd/sun.tools.jstat.Jstat --version",
            "jdk.jartool/sun.tools.jar.Main --version",
            "jdk.jartool/sun.security.tools.jarsigner.Main --version",
            "jdk.compiler/com.sun.tools.javac.Main --version",
            "jdk.compiler/sun.tools.serialver.SerialVer --version",
            "jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider --version",
            "java.base/sun.security.tools.keytool.Main --version",
            "jdk.jfr/jdk.jfr.internal.tool.Main --version",
            "jdk.javadoc/jdk.javadoc.internal.tool.Main --version",
            "jdk.jdeps/com.sun.tools.jdeps.Main --version",
            "jdk.jlink/jdk.tools.jlink.internal.Main --version",
            "jdk.jlink/jdk.tools.jimage.Main --version",
            "jdk.jlink/jdk.tools.jmod.Main --version",
            "jdk.jpackage/jdk.jpackage.main.Main --version",
            "jdk.jdi/com.sun.tools.example.debug.tty.TTY --version",
            "jdk.hotspot.agent/sun.jvm.hotspot.SALauncher --version",
            "jdk.jstatd/sun.tools.jstatd.Jstatd --version",
            "jdk.httpserver/sun.net.httpserver.simpleserver.JWebServer --version",
            "java.rmi/sun.rmi.registry.RegistryImpl --version",
            "java.scripting/com.sun.tools.script.shell.Main --version",
            "sun.tools.jps.Jps",
            "com.sun.tools.javac.Main Foo.java"})
    void recognisesJdkTools(String command) {
        assertTrue(AgentMain.isJdkTool(command), command);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // the source launcher on JDK 17 and on JDK 22+ (Temurin 25): the program is an application
            "jdk.compiler/com.sun.tools.javac.launcher.Main /tmp/App.java",
            "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher /tmp/App.java --port 8080",
            "com.example.App --port 8080", "/app/service.jar", "org.springframework.boot.loader.launch.JarLauncher",
            "com.example.app/com.example.Main", ""})
    void startsForApplicationsAndSourceLaunchedPrograms(String command) {
        assertFalse(AgentMain.isJdkTool(command), command);
    }

    private static final String JAR = "/opt/pool-agent/pool-agent.jar";

    @ParameterizedTest
    @ValueSource(strings = {
            "/opt/pool-agent/pool-agent.jar doctor --url jdbc:postgresql://db:5432/auth",
            "pool-agent.jar plan --max-connections 100 a:1:1",
            "./pool-agent.jar",
            "../pool-agent/pool-agent.jar help",
            "/opt/pool-agent/../pool-agent/pool-agent.jar doctor",
            "io.poolagent.bootstrap.AgentMain doctor --url jdbc:postgresql://db/auth"})
    void staysOffWhenTheJvmRunsTheJarsOwnCommands(String command) {
        assertTrue(AgentMain.runsOwnCommand(command, "/opt/pool-agent", JAR), command);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/app/service.jar --port 8080", "/other/pool-agent.jar doctor", "pool-agent.jar.bak",
            "com.example.App", "io.poolagent.bootstrap.AgentMainTest", ""})
    void startsForEveryOtherMain(String command) {
        assertFalse(AgentMain.runsOwnCommand(command, "/opt/pool-agent", JAR), command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pool-agent.jar doctor", "/opt/pool-agent/pool-agent.jar doctor"})
    void theSameNameInAnotherDirectoryIsAnotherJar(String command) {
        assertFalse(AgentMain.runsOwnCommand(command, "/srv", "/srv/agents/pool-agent.jar"), command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/pool-agent/pool-agent.jar doctor", "com.example.App"})
    void anUnknownAgentJarIsNeverTakenForACommand(String command) {
        assertFalse(AgentMain.runsOwnCommand(command, "/opt/pool-agent", null), command);
    }
}
