package io.poolagent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.security.CodeSource;

/**
 * The agent's entry point. {@code JAVA_TOOL_OPTIONS} hands it to every JVM in a pod, so it must do as
 * little as possible and never take a JVM down.
 *
 * <p>This one class is compiled to Java 8 bytecode: a Premain-Class that the JVM cannot load aborts the
 * JVM ("processing of -javaagent failed"). It skips Java 8, JDK tools and the jar's own commands, then
 * hands over to {@code AgentLauncher} (Java 11). Every failure is caught here and turned into one line on
 * stderr. It is also the jar's Main-Class, for those commands ({@code java -jar pool-agent.jar plan}).
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

    /**
     * {@code java -jar pool-agent.jar COMMAND}: the operations commands ({@code plan}, {@code doctor}). They
     * live under {@code inst/} with the agent and load in its class loader, which needs Java 11.
     */
    public static void main(String[] args) {
        System.exit(runCommand(args));
    }

    private static int runCommand(String[] args) {
        if (javaFeatureVersion() < 11) {
            System.err.println("pool-agent: needs Java 11 or newer, this is Java " + System.getProperty("java.version"));
            return 1;
        }
        try {
            ClassLoader commands = (ClassLoader) Class.forName("io.poolagent.bootstrap.AgentLauncher")
                    .getMethod("commandLoader").invoke(null);
            return (Integer) Class.forName("io.poolagent.cli.Commands", true, commands)
                    .getMethod("run", String[].class).invoke(null, (Object) args);
        } catch (Throwable t) {
            System.err.println("pool-agent: " + rootCause(t));
            return 1;
        }
    }

    /**
     * Set by the first start in this JVM. A second {@code -javaagent} (JAVA_TOOL_OPTIONS and the command line
     * both naming the agent, or a late attach) loads this same class from the system class loader and must not
     * weave a second time: every hook would run twice.
     */
    private static boolean started;

    private static synchronized boolean firstStart() {
        boolean first = !started;
        started = true;
        return first;
    }

    private static void start(String args, Instrumentation instrumentation) {
        try {
            if (!firstStart()) {
                System.err.println("[pool-agent] WARN the agent is attached more than once: the first one works,"
                        + " the others do nothing");
                return;
            }
            // Before the version check: a command run on Java 8 says so itself, once.
            if (runsOwnCommand(System.getProperty("sun.java.command", ""), System.getProperty("user.dir", ""),
                    agentJarPath())) {
                return;
            }
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
            System.err.println("[pool-agent] ERROR agent not started, connections stay unpooled: " + rootCause(t));
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.lang.reflect.InvocationTargetException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
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
        String main = mainOf(command);
        if (main.startsWith(SOURCE_LAUNCHER)) {
            return false;
        }
        return main.startsWith("jdk.") || main.startsWith("java.")
                || main.startsWith("sun.tools.") || main.startsWith("sun.security.tools.")
                || main.startsWith("com.sun.tools.") || main.startsWith("sun.jvm.hotspot.");
    }

    /**
     * The agent's own commands ({@code java -jar pool-agent.jar doctor}) run in a JVM that JAVA_TOOL_OPTIONS
     * hands the agent too. It must stay off there: it would pool the doctor's own connection, and a command
     * is no service. True when the JVM's main is this jar (the launcher names a jar as given on its command
     * line, so it is resolved against the working directory) or this class.
     */
    static boolean runsOwnCommand(String command, String userDir, String agentJar) {
        String main = mainOf(command);
        if (main.equals("io.poolagent.bootstrap.AgentMain")) {
            return true;
        }
        if (agentJar == null || main.isEmpty() || !main.endsWith(new File(agentJar).getName())) {
            return false; // the usual case, settled without touching the file system classes
        }
        try {
            return Paths.get(userDir).resolve(main).normalize().equals(Paths.get(agentJar).normalize());
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** This jar's path, or null when the JVM does not say (then the agent is not taken for a command). */
    private static String agentJarPath() {
        try {
            CodeSource source = AgentMain.class.getProtectionDomain().getCodeSource();
            return source == null ? null : new File(source.getLocation().toURI()).getPath();
        } catch (Exception e) {
            return null;
        }
    }

    /** The launcher's first word: a main class, a module/class, or a jar's path. */
    private static String mainOf(String command) {
        String main = command.trim();
        int space = main.indexOf(' ');
        return space < 0 ? main : main.substring(0, space);
    }
}
