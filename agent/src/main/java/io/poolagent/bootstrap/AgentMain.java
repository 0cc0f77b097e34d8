package io.poolagent.bootstrap;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry point. {@code JAVA_TOOL_OPTIONS} hands it to every JVM in a pod, so it must do as
 * little as possible and never take a JVM down.
 *
 * <p>This one class is compiled to Java 8 bytecode: a Premain-Class that the JVM cannot load aborts the
 * JVM ("processing of -javaagent failed"). It skips Java 8 and JDK tools, then hands over to
 * {@code AgentLauncher} (Java 11). Every failure is caught here and turned into one line on stderr.
 */
public final class AgentMain {

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        start(args, instrumentation);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        start(args, instrumentation);
    }

    private static void start(String args, Instrumentation instrumentation) {
        try {
            if (javaFeatureVersion() < 11) {
                System.err.println("[pool-agent] WARN needs Java 11 or newer, this JVM is "
                        + System.getProperty("java.version") + ": connections stay unpooled");
                return;
            }
            if (isJdkTool(System.getProperty("sun.java.command", ""))) {
                return;
            }
            Class.forName("io.poolagent.bootstrap.AgentLauncher")
                    .getMethod("launch", String.class, Instrumentation.class)
                    .invoke(null, args, instrumentation);
        } catch (Throwable t) {
            Throwable cause = t;
            while (cause instanceof java.lang.reflect.InvocationTargetException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println("[pool-agent] ERROR agent not started, connections stay unpooled: " + cause);
        }
    }

    static int javaFeatureVersion() {
        String spec = System.getProperty("java.specification.version", "0");
        if (spec.startsWith("1.")) {
            spec = spec.substring(2);
        }
        try {
            return Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The source launcher ({@code java App.java}) names its own main class, in the JDK's javac module:
     * {@code launcher.Main} up to JDK 21, {@code launcher.SourceLauncher} from JDK 22. The program it runs
     * is an application (a small tool, a cron job) and is pooled.
     */
    private static final String SOURCE_LAUNCHER = "jdk.compiler/com.sun.tools.javac.launcher.";

    /**
     * JDK tools (jcmd, jps, keytool, jar, javac, jshell...) also read JAVA_TOOL_OPTIONS. The launcher
     * names them by module ("jdk.jcmd/sun.tools.jcmd.JCmd") or by a JDK-internal main class. Skipping
     * them keeps every {@code jcmd} in a pod as fast as without the agent (OpenTelemetry's agent does
     * the same, see its PR 19203).
     */
    static boolean isJdkTool(String command) {
        String main = command.trim();
        int space = main.indexOf(' ');
        if (space >= 0) {
            main = main.substring(0, space);
        }
        if (main.startsWith(SOURCE_LAUNCHER)) {
            return false;
        }
        return main.startsWith("jdk.") || main.startsWith("java.")
                || main.startsWith("sun.tools.") || main.startsWith("sun.security.tools.")
                || main.startsWith("com.sun.tools.") || main.startsWith("sun.jvm.hotspot.");
    }
}
