package io.poolagent.cli;

import io.poolagent.config.Setting;
import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code plan}'s command line: the options, the services as {@link #SERVICE_FORM}, and the help that describes
 * them. The auto services' options are the agent's settings under other names, so their limits and defaults,
 * in the checks, the error lines and the help alike, are the settings' catalogue's ({@link Setting}): plan
 * cannot accept or promise what the agent would refuse.
 */
final class PlanArguments {

    static final String SERVICE_FORM = "SERVICE:PODS:MAX_OPEN[:MAX_PODS]";
    /** PostgreSQL's default superuser_reserved_connections. */
    static final int DEFAULT_RESERVED = 3;
    static final int DEFAULT_BUFFER_PERCENT = 20;
    static final int DEFAULT_MIN_OPEN = (Integer) Setting.MIN_OPEN.defaultValue();
    /** Above PostgreSQL's own cap on max_connections (262143); keeps every sum far from overflowing. */
    private static final int LARGEST = 1_000_000;

    static final String MAX_CONNECTIONS = "--max-connections";
    static final String RESERVED = "--reserved";
    static final String BUFFER = "--buffer";
    static final String HEADROOM = "--headroom";
    static final String MIN_OPEN = "--min-open";
    static final String CAP = "--cap";
    private static final String WHOLE_NUMBER = "a whole number from 1 to " + LARGEST;
    private static final String AUTO_EXPECTED = "auto or auto*WEIGHT with WEIGHT "
            + Setting.SHARE_WEIGHT.wholeNumber() + " (" + Setting.SHARE_WEIGHT.key() + "), e.g. reports:2:auto*2:6";
    private static final String SERVICE_EXPECTED = SERVICE_FORM + " with whole numbers from 1 to " + LARGEST
            + " and MAX_PODS at least PODS, e.g. auth-service:3:25:10; MAX_OPEN may also be " + AUTO_EXPECTED;
    /** Each option and the form its value takes, as the error lines word it. */
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(MAX_CONNECTIONS, "the server's max_connections (SHOW max_connections), " + WHOLE_NUMBER);
        OPTIONS.put(RESERVED, "the slots kept from applications (superuser_reserved_connections, plus"
                + " reserved_connections from PostgreSQL 16), a whole number from 0, less than " + MAX_CONNECTIONS);
        OPTIONS.put(BUFFER, "a percentage like 20%, from 0% to 100%");
        OPTIONS.put(HEADROOM, Setting.HEADROOM.key() + " of the auto services: a number of connections from "
                + Setting.HEADROOM.least() + " to " + Setting.HEADROOM.most() + " like 10, or a percentage of the"
                + " budget from 0% to " + ShareSettings.MAX_HEADROOM_PERCENT + "% like 15%; by default "
                + Setting.HEADROOM.defaultText() + ", at most half the budget");
        OPTIONS.put(MIN_OPEN, Setting.MIN_OPEN.key() + " of the auto services, " + Setting.MIN_OPEN.wholeNumber());
        OPTIONS.put(CAP, Setting.MAX_OPEN_CAP.key() + " of the auto services: 0 for none, or a whole number from "
                + MIN_OPEN + " to " + Setting.MAX_OPEN_CAP.most());
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,7}");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%?");
    private static final Pattern HEADROOM_FORM = Pattern.compile("(\\d{1,7})(%?)");
    /** Case as the agent reads DB_MAX_OPEN_CONNS; anything after '*' is the weight, checked on its own. */
    private static final Pattern AUTO = Pattern.compile("(?i)auto(?:\\*(.*))?");

    private PlanArguments() {
    }

    /** {@code plan}'s part of the jar's usage. */
    static String help() {
        return "  java -jar pool-agent.jar plan " + MAX_CONNECTIONS + " N [" + RESERVED + " R] [" + BUFFER + " P%] ["
                + HEADROOM + " H|H%]\n"
                + "      [" + MIN_OPEN + " M] [" + CAP + " C] " + SERVICE_FORM + " ...\n"
                + "      checks that the sum over services of PODS x MAX_OPEN (" + Settings.MAX_OPEN
                + "), plus a buffer\n"
                + "      (P, default " + DEFAULT_BUFFER_PERCENT + "%), fits in max_connections N less R reserved slots"
                + " (default " + DEFAULT_RESERVED + "), now and at\n"
                + "      MAX_PODS. MAX_OPEN may be auto or auto*WEIGHT (" + Settings.MAX_OPEN + "=" + Settings.AUTO
                + " with\n"
                + "      " + Setting.SHARE_WEIGHT.key() + "): each pod of such a service then shares what the fixed"
                + " services and\n"
                + "      the headroom H (" + Setting.HEADROOM.key() + ", default " + Setting.HEADROOM.defaultText()
                + ") leave, within M (" + Setting.MIN_OPEN.key() + ",\n"
                + "      default " + Setting.MIN_OPEN.defaultText() + ") and C (" + Setting.MAX_OPEN_CAP.key()
                + ", default " + Setting.MAX_OPEN_CAP.defaultText() + "); the headroom takes the buffer's\n"
                + "      place for them, and the plan fits while every such pod gets at least M.\n"
                + "      Exit 0 fits, 1 does not, 2 bad input.\n";
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
        Plan.AutoSizing sizing = sizing(arguments);
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

    /** --headroom, --min-open and --cap, within the agent's limits for the settings they stand for. */
    private static Plan.AutoSizing sizing(Arguments arguments) throws UsageException {
        String headroom = arguments.option(HEADROOM);
        int value = headroom == null ? -1 : headroom(headroom);
        boolean isPercent = headroom != null && headroom.endsWith("%");
        int minOpen = option(arguments, MIN_OPEN, Setting.MIN_OPEN, DEFAULT_MIN_OPEN);
        int cap = option(arguments, CAP, Setting.MAX_OPEN_CAP, 0);
        if (cap > 0 && cap < minOpen) {
            throw UsageException.invalid(CAP, arguments.option(CAP), "0 for none, or a whole number from "
                    + MIN_OPEN + " (" + minOpen + ") to " + Setting.MAX_OPEN_CAP.most() + " ("
                    + Setting.MAX_OPEN_CAP.key() + ")");
        }
        boolean given = headroom != null || arguments.option(MIN_OPEN) != null || arguments.option(CAP) != null;
        return new Plan.AutoSizing(isPercent ? -1 : value, isPercent ? value : -1, minOpen, cap, given);
    }

    /** The number in N or P%, within the agent's limits for DB_POOL_HEADROOM. */
    private static int headroom(String value) throws UsageException {
        Matcher form = HEADROOM_FORM.matcher(value);
        boolean isPercent = value.endsWith("%");
        int number = form.matches() ? Integer.parseInt(form.group(1)) : -1;
        if (number < Setting.HEADROOM.least()
                || number > (isPercent ? ShareSettings.MAX_HEADROOM_PERCENT : Setting.HEADROOM.most())) {
            throw UsageException.invalid(HEADROOM, value, OPTIONS.get(HEADROOM));
        }
        return number;
    }

    private static int option(Arguments arguments, String name, Setting setting, int fallback) throws UsageException {
        String value = arguments.option(name);
        if (value == null) {
            return fallback;
        }
        int number = wholeNumber(value);
        if (number < setting.least() || number > setting.most()) {
            throw UsageException.invalid(name, value, OPTIONS.get(name));
        }
        return number;
    }

    private static List<Plan.Service> services(List<String> operands) throws UsageException {
        if (operands.isEmpty()) {
            throw new UsageException("no service given: expected one " + SERVICE_FORM + " per service, e.g."
                    + " auth-service:3:25:10 publish-order:2:15");
        }
        List<Plan.Service> services = new ArrayList<>();
        for (String operand : operands) {
            Plan.Service service = service(operand);
            if (services.stream().anyMatch(s -> s.name.equals(service.name))) {
                throw new UsageException("service \"" + operand + "\" is not valid: " + service.name
                        + " is given twice; expected each service once, as " + SERVICE_FORM);
            }
            services.add(service);
        }
        return services;
    }

    private static Plan.Service service(String operand) throws UsageException {
        String[] parts = operand.split(":", -1);
        if (parts.length < 3 || parts.length > 4 || parts[0].isBlank()) {
            throw invalidService(operand, "");
        }
        int pods = count(operand, parts[1]);
        int weight = weight(operand, parts[2]);
        int maxOpen = weight > 0 ? 0 : count(operand, parts[2]);
        int maxPods = parts.length == 4 ? count(operand, parts[3]) : 0;
        if (maxPods != 0 && maxPods < pods) {
            throw invalidService(operand, "MAX_PODS " + maxPods + " is below PODS " + pods + "; ");
        }
        return new Plan.Service(parts[0], pods, maxOpen, maxPods, weight);
    }

    private static int count(String operand, String value) throws UsageException {
        int number = wholeNumber(value);
        if (number < 1) {
            throw invalidService(operand, "");
        }
        return number;
    }

    /** 0 when MAX_OPEN is not auto: then it must be a number, which {@link #count} checks. */
    private static int weight(String operand, String maxOpen) throws UsageException {
        Matcher auto = AUTO.matcher(maxOpen);
        if (!auto.matches()) {
            return 0;
        }
        Setting weight = Setting.SHARE_WEIGHT;
        if (auto.group(1) == null) {
            return (Integer) weight.defaultValue();
        }
        int number = wholeNumber(auto.group(1));
        if (number < weight.least() || number > weight.most()) {
            throw new UsageException("service \"" + operand + "\" is not valid: WEIGHT \"" + auto.group(1)
                    + "\" is not " + weight.wholeNumber() + "; expected MAX_OPEN " + AUTO_EXPECTED);
        }
        return number;
    }

    private static UsageException invalidService(String operand, String why) {
        return new UsageException("service \"" + operand + "\" is not valid: " + why + "expected " + SERVICE_EXPECTED);
    }
}
