package io.poolagent.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code plan}: the sizing rule of our users' runbook. Each pod of a service may open up to its
 * DB_MAX_OPEN_CONNS connections, so the sum over services of pods x DB_MAX_OPEN_CONNS, plus a buffer (for
 * rolling updates, migrations, consoles), must stay within what the server admits for applications:
 * max_connections less the reserved slots. Checked at today's pod counts and, for services given a
 * MAX_PODS, at the autoscaler's maximum, since that is where a fleet runs out of connections.
 */
final class Plan {

    static final String SERVICE_FORM = "SERVICE:PODS:MAX_OPEN[:MAX_PODS]";
    /** PostgreSQL's default superuser_reserved_connections. */
    static final int DEFAULT_RESERVED = 3;
    static final int DEFAULT_BUFFER_PERCENT = 20;
    /** Above PostgreSQL's own cap on max_connections (262143); keeps every sum far from overflowing. */
    private static final int LARGEST = 1_000_000;

    private static final String MAX_CONNECTIONS = "--max-connections";
    private static final String RESERVED = "--reserved";
    private static final String BUFFER = "--buffer";
    private static final String WHOLE_NUMBER = "a whole number from 1 to " + LARGEST;
    private static final String SERVICE_EXPECTED = SERVICE_FORM + " with whole numbers from 1 to " + LARGEST
            + " and MAX_PODS at least PODS, e.g. auth-service:3:25:10";
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(MAX_CONNECTIONS, "the server's max_connections (SHOW max_connections), " + WHOLE_NUMBER);
        OPTIONS.put(RESERVED, "the slots kept from applications (superuser_reserved_connections, plus"
                + " reserved_connections from PostgreSQL 16), a whole number from 0, less than " + MAX_CONNECTIONS);
        OPTIONS.put(BUFFER, "a percentage like 20%, from 0% to 100%");
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,7}");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%?");

    private final int maxConnections;
    private final int reserved;
    private final int bufferPercent;
    private final List<Service> services;

    Plan(int maxConnections, int reserved, int bufferPercent, List<Service> services) {
        this.maxConnections = maxConnections;
        this.reserved = reserved;
        this.bufferPercent = bufferPercent;
        this.services = services;
    }

    /** Prints the plan and returns the exit code: 0 fits, 1 does not, 2 bad input. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Plan plan;
        try {
            plan = parse(args);
        } catch (UsageException e) {
            err.println("plan: " + e.getMessage());
            return 2;
        }
        plan.print(out);
        return plan.fits() ? 0 : 1;
    }

    static Plan parse(List<String> args) throws UsageException {
        Arguments arguments = Arguments.parse(args, OPTIONS);
        String max = arguments.option(MAX_CONNECTIONS);
        if (max == null) {
            throw new UsageException(MAX_CONNECTIONS + " is missing: expected " + OPTIONS.get(MAX_CONNECTIONS));
        }
        int maxConnections = number(MAX_CONNECTIONS, max, 1);
        int reserved = reserved(arguments.option(RESERVED), maxConnections);
        int buffer = bufferPercent(arguments.option(BUFFER));
        return new Plan(maxConnections, reserved, buffer, services(arguments.operands()));
    }

    private static int reserved(String value, int maxConnections) throws UsageException {
        if (value == null) {
            return DEFAULT_RESERVED; // a budget of 0 or less then simply does not fit
        }
        int reserved = wholeNumber(value);
        if (reserved < 0 || reserved >= maxConnections) {
            throw UsageException.invalid(RESERVED, value, OPTIONS.get(RESERVED) + " " + maxConnections);
        }
        return reserved;
    }

    private static int bufferPercent(String value) throws UsageException {
        if (value == null) {
            return DEFAULT_BUFFER_PERCENT;
        }
        Matcher percent = PERCENT.matcher(value);
        if (!percent.matches() || Integer.parseInt(percent.group(1)) > 100) {
            throw UsageException.invalid(BUFFER, value, OPTIONS.get(BUFFER));
        }
        return Integer.parseInt(percent.group(1));
    }

    private static int number(String argument, String value, int least) throws UsageException {
        int number = wholeNumber(value);
        if (number < least) {
            throw UsageException.invalid(argument, value, OPTIONS.get(argument));
        }
        return number;
    }

    /** 0 to LARGEST, or -1 for anything else (signs, fractions, blanks, huge numbers). */
    private static int wholeNumber(String value) {
        int number = NUMBER.matcher(value).matches() ? Integer.parseInt(value) : -1;
        return number <= LARGEST ? number : -1;
    }

    private static List<Service> services(List<String> operands) throws UsageException {
        if (operands.isEmpty()) {
            throw new UsageException("no service given: expected one " + SERVICE_FORM + " per service, e.g."
                    + " auth-service:3:25:10 publish-order:2:15");
        }
        List<Service> services = new ArrayList<>();
        for (String operand : operands) {
            Service service = Service.parse(operand);
            if (services.stream().anyMatch(s -> s.name.equals(service.name))) {
                throw new UsageException("service \"" + operand + "\" is not valid: " + service.name
                        + " is given twice; expected each service once, as " + SERVICE_FORM);
            }
            services.add(service);
        }
        return services;
    }

    /** One service: its name, pod count, DB_MAX_OPEN_CONNS and, optionally, its autoscaler's maximum. */
    static final class Service {
        final String name;
        final int pods;
        final int maxOpen;
        /** 0 when not given: the service does not scale. */
        final int maxPods;

        Service(String name, int pods, int maxOpen, int maxPods) {
            this.name = name;
            this.pods = pods;
            this.maxOpen = maxOpen;
            this.maxPods = maxPods;
        }

        static Service parse(String operand) throws UsageException {
            String[] parts = operand.split(":", -1);
            if (parts.length < 3 || parts.length > 4 || parts[0].isBlank()) {
                throw invalid(operand, "");
            }
            int[] numbers = new int[parts.length - 1];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = wholeNumber(parts[i + 1]);
                if (numbers[i] < 1) {
                    throw invalid(operand, "");
                }
            }
            int maxPods = numbers.length == 3 ? numbers[2] : 0;
            if (maxPods != 0 && maxPods < numbers[0]) {
                throw invalid(operand, "MAX_PODS " + maxPods + " is below PODS " + numbers[0] + "; ");
            }
            return new Service(parts[0], numbers[0], numbers[1], maxPods);
        }

        private static UsageException invalid(String operand, String why) {
            return new UsageException("service \"" + operand + "\" is not valid: " + why + "expected " + SERVICE_EXPECTED);
        }

        long connections(boolean atMax) {
            return (long) (atMax && maxPods > 0 ? maxPods : pods) * maxOpen;
        }
    }

    // The arithmetic, at today's pod counts (atMax false) or at the autoscalers' maximum (true).

    long subtotal(boolean atMax) {
        return services.stream().mapToLong(s -> s.connections(atMax)).sum();
    }

    /** Rounded up: a buffer is a floor, and 20% of 7 connections is 2 connections, not 1. */
    long buffer(boolean atMax) {
        return (subtotal(atMax) * bufferPercent + 99) / 100;
    }

    long total(boolean atMax) {
        return subtotal(atMax) + buffer(atMax);
    }

    long budget() {
        return maxConnections - reserved;
    }

    boolean scales() {
        return services.stream().anyMatch(s -> s.maxPods > 0);
    }

    boolean fits() {
        return total(false) <= budget() && (!scales() || total(true) <= budget());
    }

    void print(PrintStream out) {
        services().print(out, "");
        out.println();
        totals().print(out, "");
        out.println();
        out.println("MAX_OPEN is DB_MAX_OPEN_CONNS of one pod: the most connections that pod's pool opens.");
        out.println(verdict());
    }

    private Table services() {
        Table table = scales()
                ? new Table("service", "pods", "max open", "pods x max open", "max pods", "at max pods")
                : new Table("service", "pods", "max open", "pods x max open");
        for (Service s : services) {
            table.row(s.name, s.pods, s.maxOpen, s.connections(false), s.maxPods > 0 ? s.maxPods : "-", s.connections(true));
        }
        return table;
    }

    /** The totals now and, when any service scales, at max pods; the last column explains the budget. */
    private Table totals() {
        Table table = scales() ? new Table("", "now", "at max pods", "") : new Table("", "now", "");
        totalsRow(table, "subtotal", subtotal(false), subtotal(true), "");
        totalsRow(table, "buffer " + bufferPercent + "%", buffer(false), buffer(true), "");
        totalsRow(table, "total", total(false), total(true), "");
        totalsRow(table, "budget", budget(), budget(), "max_connections " + maxConnections + " - " + reserved + " reserved");
        totalsRow(table, "headroom", budget() - total(false), budget() - total(true), "");
        return table;
    }

    private void totalsRow(Table table, String label, long now, long atMax, String note) {
        if (scales()) {
            table.row(label, now, atMax, note);
        } else {
            table.row(label, now, note);
        }
    }

    private String verdict() {
        long now = total(false);
        long atMax = total(true);
        if (now > budget()) {
            return "does not fit now: total " + now + " is over the budget " + budget() + " by " + (now - budget())
                    + (scales() ? ", and " + atMax + " at max pods" : "") + "\n" + REMEDY;
        }
        if (scales() && atMax > budget()) {
            return "does not fit at max pods: total " + atMax + " is over the budget " + budget() + " by "
                    + (atMax - budget()) + " (now: " + now + ", fits)\n" + REMEDY;
        }
        return "fits: total " + now + (scales() ? " now and " + atMax + " at max pods," : "")
                + " within the budget " + budget();
    }

    private static final String REMEDY = "Lower DB_MAX_OPEN_CONNS or the pod counts, raise max_connections,"
            + " or put PgBouncer between the pods and the server (README: \"Through PgBouncer\").";
}
