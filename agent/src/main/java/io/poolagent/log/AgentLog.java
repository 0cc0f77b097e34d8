package io.poolagent.log;

import java.io.PrintStream;

/**
 * The agent's one logger: single lines on stderr, so they stand out in a pod's log whatever logging framework
 * the application uses. Text ({@code [pool-agent] 2026-11-28T10:15:30.123Z WARN message}) by default, or one JSON
 * object per line ({@code DB_POOL_LOG_FORMAT=json}) for log shippers. Never given a password: callers pass pool
 * names and masked URLs only.
 */
public final class AgentLog {

    /** Ordered from most to least severe. */
    public enum Level {
        OFF, ERROR, WARN, INFO, DEBUG
    }

    public enum Format {
        TEXT, JSON
    }

    private static volatile Level threshold = Level.INFO;
    private static volatile Format format = Format.TEXT;
    private static final PrintStream out = System.err;

    private AgentLog() {
    }

    public static void setLevel(Level level) {
        threshold = level;
    }

    public static void setFormat(Format lineFormat) {
        format = lineFormat;
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

    /** A warning followed by the stack of {@code where}, one frame per line (in JSON: one "stack" field). */
    public static void warn(String message, Throwable where) {
        if (enabled(Level.WARN)) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement frame : where.getStackTrace()) {
                stack.append(stack.length() == 0 ? "" : "\n").append("\tat ").append(frame);
            }
            out.println(line(Level.WARN, message + ": " + where.getMessage(), stack.toString()));
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
            out.println(line(level, message, null));
        }
    }

    static String line(Level level, String message, String stack) {
        String time = UtcTime.format(System.currentTimeMillis());
        if (format == Format.TEXT) {
            return "[pool-agent] " + time + " " + level + " " + oneLine(message)
                    + (stack == null || stack.isEmpty() ? "" : System.lineSeparator() + stack);
        }
        StringBuilder json = new StringBuilder(message.length() + 96).append("{\"timestamp\":\"").append(time)
                .append("\",\"level\":\"").append(level).append("\",\"logger\":\"pool-agent\"");
        String pool = poolOf(message);
        if (pool != null) {
            Json.field(json.append(','), "pool", pool);
        }
        Json.field(json.append(','), "message", message);
        if (stack != null && !stack.isEmpty()) {
            Json.field(json.append(','), "stack", stack);
        }
        return json.append('}').toString();
    }

    /**
     * A message on one line: a line break in it (from a server's error text, a setting's value) would let its
     * author write a line of their own into the log, one that looks like the agent's. Escaped as in Java.
     */
    static String oneLine(String message) {
        if (message.indexOf('\n') < 0 && message.indexOf('\r') < 0) {
            return message;
        }
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * Each run of whitespace ({@code \s} of a regex: space, tab, line feed, vertical tab, form feed, carriage
     * return) as one space: a server's message or a query written over several lines, on one. A loop, not a
     * regex: this class is read in premain.
     */
    public static String collapseWhitespace(String text) {
        StringBuilder line = new StringBuilder(text.length());
        boolean inRun = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean white = c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
            if (!white) {
                line.append(c);
            } else if (!inRun) {
                line.append(' ');
            }
            inRun = white;
        }
        return line.toString();
    }

    /** Messages about one pool start "pool NAME ..." (a name holds no space): that name, for the "pool" field. */
    static String poolOf(String message) {
        if (!message.startsWith("pool ")) {
            return null;
        }
        int end = message.indexOf(' ', 5);
        String name = end < 0 ? message.substring(5) : message.substring(5, end);
        return name.endsWith(":") ? name.substring(0, name.length() - 1) : name;
    }
}
