package io.poolagent.log;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The agent's one logger: single lines on stderr, prefixed "[pool-agent]", so they stand out in a pod's
 * log whatever logging framework the application uses. Never given a password: callers pass pool names
 * and masked URLs only.
 */
public final class AgentLog {

    /** Ordered from most to least severe. */
    public enum Level {
        OFF, ERROR, WARN, INFO, DEBUG;

        public static Level parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;

    private AgentLog() {
    }

    public static void setLevel(Level level) {
        threshold = level;
    }

    public static boolean enabled(Level level) {
        return level != Level.OFF && level.ordinal() <= threshold.ordinal();
    }

    public static void error(String message) {
        log(Level.ERROR, message);
    }

    public static void warn(String message) {
        log(Level.WARN, message);
    }

    public static void info(String message) {
        log(Level.INFO, message);
    }

    public static void debug(String message) {
        log(Level.DEBUG, message);
    }

    public static void log(Level level, String message) {
        if (enabled(level)) {
            out.println("[pool-agent] " + level + " " + message);
        }
    }

    /** For tests that read what the agent logged. */
    static void redirect(PrintStream stream) {
        out = stream;
    }
}
