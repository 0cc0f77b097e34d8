package io.poolagent.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's {@code time.ParseDuration} syntax, because the pods' env vars were written for Go services:
 * a sequence of decimal numbers, each with an optional fraction and a unit, like "300ms", "1.5h" or
 * "1h30m". Units: ns, us (or µs), ms, s, m, h. A bare "0" is allowed; any other number needs a unit.
 * Rules follow Go's src/time/format.go; negative values are refused because no setting here takes one,
 * and so are fractions of a nanosecond, which Go would silently drop.
 */
public final class GoDuration {

    private GoDuration() {
    }

    public static Duration parse(String text) {
        try {
            return Duration.ofNanos(parseNanos(text).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("out of range");
        }
    }

    /**
     * Exact, unlike Go (which drops digits below a nanosecond): "0.1ns" must not quietly become 0, which
     * for some settings means "no limit".
     */
    private static BigDecimal parseNanos(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return BigDecimal.ZERO;
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            String number = text.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("expected a number at \"" + text.substring(start) + "\"");
            }
            int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            long unit = unitNanos(text.substring(unitStart, i));
            nanos = nanos.add(new BigDecimal(number.startsWith(".") ? "0" + number : number).multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("finer than a nanosecond");
        }
        return nanos;
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
