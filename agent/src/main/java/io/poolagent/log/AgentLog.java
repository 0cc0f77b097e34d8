package io.poolagent.log;

import java.io.PrintStream;

/**
 * The agent's one logger: single lines on stderr, prefixed "[pool-agent]", so they stand out in a pod's
 * log whatever logging framework the application uses. Never given a password: callers pass pool names
 * and masked URLs only.
 */
public final class AgentLog {

    /** Ordered from most to least severe. */
    public enum Level {
        OFF, ERROR, WARN, INFO, DEBUG
    }

    private static volatile Level threshold = Level.INFO;
    private static final PrintStream out = System.err;

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

    /** A warning followed by the stack of {@code where}, one frame per line. */
    public static void warn(String message, Throwable where) {
        if (enabled(Level.WARN)) {
            StringBuilder text = new StringBuilder("[pool-agent] WARN ").append(message).append(": ").append(where.getMessage());
            for (StackTraceElement frame : where.getStackTrace()) {
                text.append(System.lineSeparator()).append("\tat ").append(frame);
            }
            out.println(text);
        }
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
}
