package io.poolagent.cli;

import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code plan}: the sizing rule of our users' runbook. Each pod of a service may open up to its
 * DB_MAX_OPEN_CONNS connections, so the sum over services of pods x DB_MAX_OPEN_CONNS, plus a buffer (for
 * rolling updates, migrations, consoles), must stay within what the server admits for applications:
 * max_connections less the reserved slots. Checked at today's pod counts and, for services given a
 * MAX_PODS, at the autoscaler's maximum, since that is where a fleet runs out of connections.
 * <p>
 * A service sized {@code auto} (DB_MAX_OPEN_CONNS=auto) has no fixed size to add up: each of its pods takes
 * a weighted share of what the fixed services and the headroom leave, as the agent's FairShare computes it.
 * Such a plan fits when that share is at least DB_POOL_MIN_OPEN for every auto pod; the headroom, which the
 * agent keeps free for everyone's rolling updates, migrations and consoles, takes the buffer's place.
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
    private static final String HEADROOM = "--headroom";
    private static final String MIN_OPEN = "--min-open";
    private static final String CAP = "--cap";
    private static final String WHOLE_NUMBER = "a whole number from 1 to " + LARGEST;
    private static final String AUTO_EXPECTED = "auto or auto*WEIGHT with WEIGHT a whole number from 1 to "
            + Settings.MAX_WEIGHT + " (DB_POOL_SHARE_WEIGHT), e.g. reports:2:auto*2:6";
    private static final String SERVICE_EXPECTED = SERVICE_FORM + " with whole numbers from 1 to " + LARGEST
            + " and MAX_PODS at least PODS, e.g. auth-service:3:25:10; MAX_OPEN may also be " + AUTO_EXPECTED;
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(MAX_CONNECTIONS, "the server's max_connections (SHOW max_connections), " + WHOLE_NUMBER);
        OPTIONS.put(RESERVED, "the slots kept from applications (superuser_reserved_connections, plus"
                + " reserved_connections from PostgreSQL 16), a whole number from 0, less than " + MAX_CONNECTIONS);
        OPTIONS.put(BUFFER, "a percentage like 20%, from 0% to 100%");
        OPTIONS.put(HEADROOM, "DB_POOL_HEADROOM of the auto services: a number of connections from 0 to "
                + Settings.MAX_POOL_SIZE + " like 10, or a percentage of the budget from 0% to "
                + ShareSettings.MAX_HEADROOM_PERCENT
                + "% like 15%; by default " + ShareSettings.DEFAULT_HEADROOM + ", at most half the budget");
        OPTIONS.put(MIN_OPEN, "DB_POOL_MIN_OPEN of the auto services, a whole number from 1 to "
                + Settings.MAX_POOL_SIZE);
        OPTIONS.put(CAP, "DB_POOL_MAX_OPEN_CAP of the auto services: 0 for none, or a whole number from "
                + MIN_OPEN + " to " + Settings.MAX_POOL_SIZE);
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,7}");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%?");
    private static final Pattern HEADROOM_FORM = Pattern.compile("(\\d{1,7})(%?)");
    /** Case as the agent reads DB_MAX_OPEN_CONNS; anything after '*' is the weight, checked on its own. */
    private static final Pattern AUTO = Pattern.compile("(?i)auto(?:\\*(.*))?");
    /** The explanation's width: fits a terminal and the README's 120 columns with room to spare. */
    private static final int WIDTH = 110;

    private final int maxConnections;
    private final int reserved;
    private final int bufferPercent;
    private final List<Service> services;
    private final AutoSizing sizing;

    Plan(int maxConnections, int reserved, int bufferPercent, List<Service> services) {
        this(maxConnections, reserved, bufferPercent, services, AutoSizing.DEFAULTS);
    }

    Plan(int maxConnections, int reserved, int bufferPercent, List<Service> services, AutoSizing sizing) {
        this.maxConnections = maxConnections;
        this.reserved = reserved;
        this.bufferPercent = bufferPercent;
        this.services = services;
        this.sizing = sizing;
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
        AutoSizing sizing = AutoSizing.parse(arguments);
        return new Plan(maxConnections, reserved, buffer, services(arguments.operands()), sizing);
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

    /**
     * What the auto services' pods are configured with (DB_POOL_HEADROOM, DB_POOL_MIN_OPEN,
     * DB_POOL_MAX_OPEN_CAP), with the agent's defaults and arithmetic (ShareSettings, FairShare).
     */
    static final class AutoSizing {

        static final AutoSizing DEFAULTS = new AutoSizing(-1, -1, 1, 0, false);

        /** -1 unless --headroom gave a number of slots. */
        final int headroomSlots;
        /** -1 unless --headroom gave a percentage of the budget. */
        final int headroomPercent;
        final int minOpen;
        /** 0 for no cap. */
        final int cap;
        /** Whether any of the three options was given, to say so when no service is auto. */
        final boolean given;
        /** The agent's own arithmetic for these settings. */
        private final ShareSettings agent;

        AutoSizing(int headroomSlots, int headroomPercent, int minOpen, int cap, boolean given) {
            this.headroomSlots = headroomSlots;
            this.headroomPercent = headroomPercent;
            this.minOpen = minOpen;
            this.cap = cap;
            this.given = given;
            this.agent = ShareSettings.forPlan(headroomSlots, headroomPercent, minOpen, cap);
        }

        static AutoSizing parse(Arguments arguments) throws UsageException {
            String headroom = arguments.option(HEADROOM);
            int value = headroom == null ? -1 : headroom(headroom);
            boolean isPercent = headroom != null && headroom.endsWith("%");
            int minOpen = option(arguments, MIN_OPEN, 1, 1);
            int cap = option(arguments, CAP, 0, 0);
            if (cap > 0 && cap < minOpen) {
                throw UsageException.invalid(CAP, arguments.option(CAP), "0 for none, or a whole number from "
                        + MIN_OPEN + " (" + minOpen + ") to " + Settings.MAX_POOL_SIZE + " (DB_POOL_MAX_OPEN_CAP)");
            }
            boolean given = headroom != null || arguments.option(MIN_OPEN) != null || arguments.option(CAP) != null;
            return new AutoSizing(isPercent ? -1 : value, isPercent ? value : -1, minOpen, cap, given);
        }

        /** The number in N or P%, within the agent's limits for DB_POOL_HEADROOM. */
        private static int headroom(String value) throws UsageException {
            Matcher form = HEADROOM_FORM.matcher(value);
            boolean isPercent = value.endsWith("%");
            int number = form.matches() ? Integer.parseInt(form.group(1)) : -1;
            if (number < 0 || number > (isPercent ? ShareSettings.MAX_HEADROOM_PERCENT : Settings.MAX_POOL_SIZE)) {
                throw UsageException.invalid(HEADROOM, value, OPTIONS.get(HEADROOM));
            }
            return number;
        }

        private static int option(Arguments arguments, String name, int fallback, int least) throws UsageException {
            String value = arguments.option(name);
            if (value == null) {
                return fallback;
            }
            int number = wholeNumber(value);
            if (number < least || number > Settings.MAX_POOL_SIZE) {
                throw UsageException.invalid(name, value, OPTIONS.get(name));
            }
            return number;
        }

        /** The budget fits an int: it is below max_connections, at most LARGEST. */
        long headroom(long budget) {
            return agent.headroom((int) budget);
        }

        long clamp(long size) {
            return agent.clamp((int) Math.min(size, Integer.MAX_VALUE));
        }

        String describeHeadroom() {
            if (headroomSlots >= 0) {
                return HEADROOM + " " + headroomSlots;
            }
            if (headroomPercent >= 0) {
                return HEADROOM + " " + headroomPercent + "% of the budget, rounded up";
            }
            return "DB_POOL_HEADROOM's default: " + ShareSettings.DEFAULT_HEADROOM + ", at most half the budget";
        }
    }

    /**
     * One service: its name, pod count, DB_MAX_OPEN_CONNS (or, for auto, its weight) and, optionally, its
     * autoscaler's maximum.
     */
    static final class Service {
        final String name;
        final int pods;
        /** 0 for an auto service. */
        final int maxOpen;
        /** 0 when not given: the service does not scale. */
        final int maxPods;
        /** DB_POOL_SHARE_WEIGHT of an auto service; 0 for a fixed one. */
        final int weight;

        Service(String name, int pods, int maxOpen, int maxPods) {
            this(name, pods, maxOpen, maxPods, 0);
        }

        private Service(String name, int pods, int maxOpen, int maxPods, int weight) {
            this.name = name;
            this.pods = pods;
            this.maxOpen = maxOpen;
            this.maxPods = maxPods;
            this.weight = weight;
        }

        static Service auto(String name, int pods, int weight, int maxPods) {
            return new Service(name, pods, 0, maxPods, weight);
        }

        static Service parse(String operand) throws UsageException {
            String[] parts = operand.split(":", -1);
            if (parts.length < 3 || parts.length > 4 || parts[0].isBlank()) {
                throw invalid(operand, "");
            }
            int pods = count(operand, parts[1]);
            int weight = weight(operand, parts[2]);
            int maxOpen = weight > 0 ? 0 : count(operand, parts[2]);
            int maxPods = parts.length == 4 ? count(operand, parts[3]) : 0;
            if (maxPods != 0 && maxPods < pods) {
                throw invalid(operand, "MAX_PODS " + maxPods + " is below PODS " + pods + "; ");
            }
            return new Service(parts[0], pods, maxOpen, maxPods, weight);
        }

        private static int count(String operand, String value) throws UsageException {
            int number = wholeNumber(value);
            if (number < 1) {
                throw invalid(operand, "");
            }
            return number;
        }

        /** 0 when MAX_OPEN is not auto: then it must be a number, which {@link #count} checks. */
        private static int weight(String operand, String maxOpen) throws UsageException {
            Matcher auto = AUTO.matcher(maxOpen);
            if (!auto.matches()) {
                return 0;
            }
            if (auto.group(1) == null) {
                return 1; // DB_POOL_SHARE_WEIGHT's default
            }
            int weight = wholeNumber(auto.group(1));
            if (weight < 1 || weight > Settings.MAX_WEIGHT) {
                throw new UsageException("service \"" + operand + "\" is not valid: WEIGHT \"" + auto.group(1)
                        + "\" is not a whole number from 1 to " + Settings.MAX_WEIGHT + "; expected MAX_OPEN "
                        + AUTO_EXPECTED);
            }
            return weight;
        }

        private static UsageException invalid(String operand, String why) {
            return new UsageException("service \"" + operand + "\" is not valid: " + why + "expected " + SERVICE_EXPECTED);
        }

        boolean isAuto() {
            return weight > 0;
        }

        int pods(boolean atMax) {
            return atMax && maxPods > 0 ? maxPods : pods;
        }

        /** A fixed service's worst case; an auto service's depends on the whole plan ({@link Plan#connections}). */
        long connections(boolean atMax) {
            return (long) pods(atMax) * maxOpen;
        }

        String maxOpenText() {
            return !isAuto() ? String.valueOf(maxOpen) : weight == 1 ? "auto" : "auto*" + weight;
        }
    }

    // The arithmetic, at today's pod counts (atMax false) or at the autoscalers' maximum (true).

    /** The fixed services' connections: the whole plan when no service is auto. */
    long subtotal(boolean atMax) {
        return services.stream().filter(s -> !s.isAuto()).mapToLong(s -> s.connections(atMax)).sum();
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

    boolean hasAuto() {
        return services.stream().anyMatch(Service::isAuto);
    }

    boolean fits() {
        if (hasAuto()) {
            return autoFits(false) && autoFits(true);
        }
        return total(false) <= budget() && (!scales() || total(true) <= budget());
    }

    // Auto services: the share each pod would compute, counting the fixed services at their worst case.

    long headroom() {
        return sizing.headroom(budget());
    }

    /** What the fixed services and the headroom leave the auto pods; negative when they take more than all. */
    long left(boolean atMax) {
        return budget() - headroom() - subtotal(atMax);
    }

    /** The sum of the weights of all auto pods: each pod is one instance with its service's weight. */
    long weights(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> (long) s.pods(atMax) * s.weight).sum();
    }

    /** FairShare's share before the floor and the cap: the pod's weighted part of what is left, rounded down. */
    long rawShare(Service service, boolean atMax) {
        return Math.max(0, left(atMax)) * service.weight / weights(atMax);
    }

    /** The size one pod of {@code service} would take. */
    long share(Service service, boolean atMax) {
        return sizing.clamp(rawShare(service, atMax));
    }

    /** What a service's pods open: their share for an auto service, pods x MAX_OPEN for a fixed one. */
    long connections(Service service, boolean atMax) {
        return service.isAuto() ? service.pods(atMax) * share(service, atMax) : service.connections(atMax);
    }

    long autoTotal(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> connections(s, atMax)).sum();
    }

    /** Below 0 when pods held at their floor take more than was left: they then eat into the headroom. */
    long unused(boolean atMax) {
        return budget() - subtotal(atMax) - headroom() - autoTotal(atMax);
    }

    /**
     * How many more slots would have to be left for a pod of {@code service} to reach its floor unclamped:
     * floor(left x weight / weights) >= min exactly when left >= ceil(min x weights / weight). 0 or less
     * when it does.
     */
    long shortBy(Service service, boolean atMax) {
        long needed = (sizing.minOpen * weights(atMax) + service.weight - 1) / service.weight;
        return needed - left(atMax);
    }

    /**
     * Every auto pod gets at least its floor out of what is left. A floor the agent has to enforce over the
     * share means the pods together take more than the fixed services and the headroom leave.
     */
    boolean autoFits(boolean atMax) {
        return services.stream().filter(Service::isAuto).allMatch(s -> rawShare(s, atMax) >= sizing.minOpen);
    }

    /** What the auto pods hold at their floor: the least they shrink to when others need room. */
    long floors(boolean atMax) {
        return autoPods(atMax) * sizing.minOpen;
    }

    void print(PrintStream out) {
        services().print(out, "");
        out.println();
        if (hasAuto()) {
            shares().print(out, "");
            out.println();
        }
        (hasAuto() ? autoTotals() : totals()).print(out, "");
        out.println();
        out.println("MAX_OPEN is DB_MAX_OPEN_CONNS of one pod: the most connections that pod's pool opens.");
        if (hasAuto()) {
            wrap(howAutoWorks()).forEach(out::println);
            autoVerdict().lines().flatMap(line -> wrap(line).stream()).forEach(out::println);
            rolloutNote().ifPresent(note -> wrap(note).forEach(out::println));
        } else {
            out.println(verdict());
            if (sizing.given) {
                out.println(HEADROOM + ", " + MIN_OPEN + " and " + CAP + " size auto services only;"
                        + " none is auto here.");
            }
        }
    }

    private Table services() {
        Table table = scales()
                ? new Table("service", "pods", "max open", "pods x max open", "max pods", "at max pods")
                : new Table("service", "pods", "max open", "pods x max open");
        for (Service s : services) {
            table.row(s.name, s.pods, s.maxOpenText(), connections(s, false), s.maxPods > 0 ? s.maxPods : "-",
                    connections(s, true));
        }
        return table;
    }

    /** Each auto service's weight and the size of one of its pods. */
    private Table shares() {
        Table table = scales()
                ? new Table("auto service", "weight", "share now", "share at max pods")
                : new Table("auto service", "weight", "share now");
        for (Service s : services) {
            if (s.isAuto()) {
                table.row(s.name, s.weight, share(s, false), share(s, true));
            }
        }
        return table;
    }

    /** The totals now and, when any service scales, at max pods; the last column explains the budget. */
    private Table totals() {
        Table table = totalsTable();
        totalsRow(table, "subtotal", subtotal(false), subtotal(true), "");
        totalsRow(table, "buffer " + bufferPercent + "%", buffer(false), buffer(true), "");
        totalsRow(table, "total", total(false), total(true), "");
        totalsRow(table, "budget", budget(), budget(), budgetNote());
        totalsRow(table, "headroom", budget() - total(false), budget() - total(true), "");
        return table;
    }

    /** With auto services: no buffer row, the agent's headroom instead, and what rounding leaves unused. */
    private Table autoTotals() {
        Table table = totalsTable();
        totalsRow(table, "fixed", subtotal(false), subtotal(true), "pods x max open of the fixed services");
        totalsRow(table, "headroom", headroom(), headroom(), sizing.describeHeadroom());
        totalsRow(table, "auto", autoTotal(false), autoTotal(true), "pods x share of the auto services");
        totalsRow(table, "total", budget() - unused(false), budget() - unused(true), "");
        totalsRow(table, "budget", budget(), budget(), budgetNote());
        totalsRow(table, "unused", unused(false), unused(true), unusedNote());
        return table;
    }

    private Table totalsTable() {
        return scales() ? new Table("", "now", "at max pods", "") : new Table("", "now", "");
    }

    private String budgetNote() {
        return "max_connections " + maxConnections + " - " + reserved + " reserved";
    }

    private String unusedNote() {
        if (Math.min(unused(false), unused(true)) < 0) {
            return "auto pods held at their floor take more than is left";
        }
        return sizing.cap > 0 ? "shares rounded down or capped at " + sizing.cap : "shares rounded down";
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
            + " or put PgBouncer between the pods and the server (docs/pgbouncer.md).";

    /** The rule with this plan's numbers in it, so that the shares in the table can be checked by hand. */
    private String howAutoWorks() {
        String cap = sizing.cap > 0 ? " nor above DB_POOL_MAX_OPEN_CAP (" + sizing.cap + ")" : "";
        return "With auto, each pod counts the server's sessions and takes share = (budget - headroom - fixed"
                + " services) x its weight / the sum of the weights of all auto pods, rounded down: now "
                + formula(false) + (scales() ? ", at max pods " + formula(true) : "") + ", fixed services counted"
                + " at their worst case. A pod never goes below DB_POOL_MIN_OPEN (" + sizing.minOpen + ")" + cap
                + " and counts again every DB_POOL_SHARE_PERIOD (default 10s), so auto pools give way when others"
                + " grow. The headroom takes the buffer's place: the agent keeps it free for rolling updates,"
                + " migrations and consoles. The buffer (" + bufferPercent + "%) applies to the fixed services only,"
                + " whose pools cannot give way (a note says when it does not fit).";
    }

    private String formula(boolean atMax) {
        return "(" + budget() + " - " + headroom() + " - " + subtotal(atMax) + ") x weight / " + weights(atMax);
    }

    /** Fits when every auto pod gets its floor now and at max pods; else which services, how many slots short. */
    private String autoVerdict() {
        if (!autoFits(false)) {
            return shortfall(false, "now") + (scales() ? "At max pods it is worse: up to " + worstShort(true)
                    + " slots short.\n" : "") + AUTO_REMEDY;
        }
        if (!autoFits(true)) {
            return shortfall(true, "at max pods (now it does)") + AUTO_REMEDY;
        }
        Service smallest = null;
        boolean atMax = scales();
        for (Service s : services) {
            if (s.isAuto() && (smallest == null || share(s, atMax) < share(smallest, atMax))) {
                smallest = s;
            }
        }
        return "fits: every auto pod gets at least DB_POOL_MIN_OPEN " + sizing.minOpen + ", the smallest share being "
                + share(smallest, atMax) + " (" + smallest.name + (atMax ? " at max pods)" : ")");
    }

    /** The first line says what is left for how many pods, then one line per auto service short of its floor. */
    private String shortfall(boolean atMax, String when) {
        StringBuilder text = new StringBuilder("does not fit " + when + ": the fixed services' " + subtotal(atMax)
                + " and the headroom " + headroom() + " leave " + Math.max(0, left(atMax)) + " of the budget "
                + budget() + " to " + autoPods(atMax) + " auto pods, whose weights sum to " + weights(atMax) + "\n");
        for (Service s : services) {
            if (s.isAuto() && rawShare(s, atMax) < sizing.minOpen) {
                text.append("  ").append(s.name).append(": a pod would get ").append(rawShare(s, atMax))
                        .append(", below DB_POOL_MIN_OPEN ").append(sizing.minOpen).append(": ")
                        .append(shortBy(s, atMax)).append(" slots short\n");
            }
        }
        return text.toString();
    }

    private long worstShort(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> shortBy(s, atMax)).max().orElse(0);
    }

    private long autoPods(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> s.pods(atMax)).sum();
    }

    private static final String AUTO_REMEDY = "Lower the fixed services' DB_MAX_OPEN_CONNS or pod counts, the"
            + " headroom or the auto services' pod counts, raise max_connections, or put PgBouncer between the pods"
            + " and the server (docs/pgbouncer.md).";

    /**
     * The buffer where it still makes sense: a rolling update of a fixed service adds sessions that only the
     * auto pools can make room for, and they shrink no further than their floor. Worst at max pods. A note,
     * not a failure: the plan as deployed fits, it is its rollouts that may not.
     */
    private Optional<String> rolloutNote() {
        long fixed = subtotal(true);
        long needed = fixed + buffer(true) + floors(true);
        if (!fits() || needed <= budget()) {
            return Optional.empty();
        }
        return Optional.of("note: a rollout of the fixed services may not fit: " + fixed + " + buffer "
                + buffer(true) + " (" + bufferPercent + "%) + " + autoPods(true) + " auto pods at their floor "
                + sizing.minOpen + " = " + needed + " is over the budget " + budget() + " by " + (needed - budget()));
    }

    /** Greedy word wrap at {@link #WIDTH}; no word is ever split, and a line that fits keeps its indent. */
    static List<String> wrap(String text) {
        if (text.length() <= WIDTH) {
            return List.of(text);
        }
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
