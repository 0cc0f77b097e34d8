package io.poolagent.bootstrap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentMainTest {

    @ParameterizedTest
    @ValueSource(strings = {"jdk.jcmd/sun.tools.jcmd.JCmd -l", "jdk.jartool/sun.tools.jar.Main --version",
            "java.base/sun.security.tools.keytool.Main -list", "sun.tools.jps.Jps", "jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider",
            "com.sun.tools.javac.Main Foo.java"})
    void recognisesJdkTools(String command) {
        assertTrue(AgentMain.isJdkTool(command));
    }

    @ParameterizedTest
    @ValueSource(strings = {"com.example.App --port 8080", "/app/service.jar", "org.springframework.boot.loader.launch.JarLauncher", ""})
    void leavesApplicationsAlone(String command) {
        assertFalse(AgentMain.isJdkTool(command));
    }
}
