package io.poolagent.config;

import java.time.Duration;

/**
 * Go's {@code time.ParseDuration} syntax, because the pods' env vars were written for Go services:
 * a sequence of decimal numbers, each with an optional fraction and a unit, like "300ms", "1.5h" or
 * "1h30m". Units: ns, us (or µs), ms, s, m, h. A bare "0" is allowed; any other number needs a unit.
 * Rules follow Go's src/time/format.go; negative values are refused because no setting here takes one.
 */
public final class GoDuration {

    private GoDuration() {
    }

    public static Duration parse(String text) {
        try {
            return parseNanos(text);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("out of range");
        }
    }

    private static Duration parseNanos(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        long nanos = 0;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            String whole = text.substring(start, i);
            String fraction = "";
            if (i < text.length() && text.charAt(i) == '.') {
                int fractionStart = ++i;
                while (i < text.length() && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                fraction = text.substring(fractionStart, i);
            }
            if (whole.isEmpty() && fraction.isEmpty()) {
                throw new IllegalArgumentException("expected a number at \"" + text.substring(start) + "\"");
            }
            int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            long unit = unitNanos(text.substring(unitStart, i));
            nanos = Math.addExact(nanos, component(whole, fraction, unit));
        }
        return Duration.ofNanos(nanos);
    }

    private static long component(String whole, String fraction, long unit) {
        long value = whole.isEmpty() ? 0 : Math.multiplyExact(Long.parseLong(whole), unit);
        double part = fraction.isEmpty() ? 0 : Double.parseDouble("0." + fraction) * unit;
        return Math.addExact(value, (long) part);
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ns": return 1L;
            case "us":
            case "\u00b5s":
            case "\u03bcs": return 1_000L;
            case "ms": return 1_000_000L;
            case "s": return 1_000_000_000L;
            case "m": return 60_000_000_000L;
            case "h": return 3_600_000_000_000L;
            case "": throw new IllegalArgumentException("missing unit");
            default: throw new IllegalArgumentException("unknown unit \"" + unit + "\"");
        }
    }

    /** Short Go-style text for log lines: "5m", "1m30s", "1h30m", "300ms", "0". */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toHours(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        if (text.length() == 0) {
            text.append(duration.toNanos()).append("ns");
        }
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount > 0) {
            text.append(amount).append(unit);
        }
    }
}
