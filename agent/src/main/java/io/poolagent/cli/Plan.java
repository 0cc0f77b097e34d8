package io.poolagent.cli;

import io.poolagent.config.ShareSettings;

import java.io.PrintStream;
import java.util.List;

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
 * <p>
 * This class is the arithmetic; {@link PlanArguments} reads the command line and {@link PlanReport} prints.
 */
final class Plan {

    final int maxConnections;
    final int reserved;
    final int bufferPercent;
    final List<Service> services;
    final AutoSizing sizing;

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
            plan = PlanArguments.parse(args);
        } catch (UsageException e) {
            err.println("plan: " + e.getMessage());
            return 2;
        }
        new PlanReport(plan).print(out);
        return plan.fits() ? 0 : 1;
    }

    /**
     * What the auto services' pods are configured with (DB_POOL_HEADROOM, DB_POOL_MIN_OPEN,
     * DB_POOL_MAX_OPEN_CAP), with the agent's defaults and arithmetic (ShareSettings, FairShare).
     */
    static final class AutoSizing {

        static final AutoSizing DEFAULTS = new AutoSizing(-1, -1, PlanArguments.DEFAULT_MIN_OPEN, 0, false);

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

        /** The budget fits an int: it is below max_connections, at most PlanArguments' largest number. */
        long headroom(long budget) {
            return agent.headroom((int) budget);
        }

        long clamp(long size) {
            return agent.clamp((int) Math.min(size, Integer.MAX_VALUE));
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

        Service(String name, int pods, int maxOpen, int maxPods, int weight) {
            this.name = name;
            this.pods = pods;
            this.maxOpen = maxOpen;
            this.maxPods = maxPods;
            this.weight = weight;
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

    /** The most slots any auto service's pods lack. */
    long worstShort(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> shortBy(s, atMax)).max().orElse(0);
    }

    /**
     * Every auto pod gets at least its floor out of what is left. A floor the agent has to enforce over the
     * share means the pods together take more than the fixed services and the headroom leave.
     */
    boolean autoFits(boolean atMax) {
        return services.stream().filter(Service::isAuto).allMatch(s -> rawShare(s, atMax) >= sizing.minOpen);
    }

    long autoPods(boolean atMax) {
        return services.stream().filter(Service::isAuto).mapToLong(s -> s.pods(atMax)).sum();
    }

    /** What the auto pods hold at their floor: the least they shrink to when others need room. */
    long floors(boolean atMax) {
        return autoPods(atMax) * sizing.minOpen;
    }
}
