package io.poolagent.cli;

import io.poolagent.config.Setting;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code plan} prints: the services, the auto services' shares, the totals against the budget, then the
 * verdict, with the rule and the plan's own numbers in it so that every figure can be checked by hand.
 */
final class PlanReport {

    /** The explanation's width: fits a terminal and the README's 120 columns with room to spare. */
    private static final int WIDTH = 110;
    private static final String REMEDY = "Lower DB_MAX_OPEN_CONNS or the pod counts, raise max_connections,"
            + " or put PgBouncer between the pods and the server (docs/pgbouncer.md).";
    private static final String AUTO_REMEDY = "Lower the fixed services' DB_MAX_OPEN_CONNS or pod counts, the"
            + " headroom or the auto services' pod counts, raise max_connections, or put PgBouncer between the pods"
            + " and the server (docs/pgbouncer.md).";

    private final Plan plan;

    PlanReport(Plan plan) {
        this.plan = plan;
    }

    void print(PrintStream out) {
        services().print(out, "");
        out.println();
        if (plan.hasAuto()) {
            shares().print(out, "");
            out.println();
        }
        (plan.hasAuto() ? autoTotals() : totals()).print(out, "");
        out.println();
        out.println("MAX_OPEN is DB_MAX_OPEN_CONNS of one pod: the most connections that pod's pool opens.");
        if (plan.hasAuto()) {
            wrap(howAutoWorks()).forEach(out::println);
            autoVerdict().lines().flatMap(line -> wrap(line).stream()).forEach(out::println);
            rolloutNote().ifPresent(note -> wrap(note).forEach(out::println));
        } else {
            out.println(verdict());
            if (plan.sizing.given) {
                out.println(PlanArguments.HEADROOM + ", " + PlanArguments.MIN_OPEN + " and " + PlanArguments.CAP
                        + " size auto services only; none is auto here.");
            }
        }
    }

    private Table services() {
        Table table = plan.scales()
                ? new Table("service", "pods", "max open", "pods x max open", "max pods", "at max pods")
                : new Table("service", "pods", "max open", "pods x max open");
        for (Plan.Service s : plan.services) {
            table.row(s.name, s.pods, s.maxOpenText(), plan.connections(s, false), s.maxPods > 0 ? s.maxPods : "-",
                    plan.connections(s, true));
        }
        return table;
    }

    /** Each auto service's weight and the size of one of its pods. */
    private Table shares() {
        Table table = plan.scales()
                ? new Table("auto service", "weight", "share now", "share at max pods")
                : new Table("auto service", "weight", "share now");
        for (Plan.Service s : plan.services) {
            if (s.isAuto()) {
                table.row(s.name, s.weight, plan.share(s, false), plan.share(s, true));
            }
        }
        return table;
    }

    /** The totals now and, when any service scales, at max pods; the last column explains the budget. */
    private Table totals() {
        Table table = totalsTable();
        totalsRow(table, "subtotal", plan.subtotal(false), plan.subtotal(true), "");
        totalsRow(table, "buffer " + plan.bufferPercent + "%", plan.buffer(false), plan.buffer(true), "");
        totalsRow(table, "total", plan.total(false), plan.total(true), "");
        totalsRow(table, "budget", plan.budget(), plan.budget(), budgetNote());
        totalsRow(table, "headroom", plan.budget() - plan.total(false), plan.budget() - plan.total(true), "");
        return table;
    }

    /** With auto services: no buffer row, the agent's headroom instead, and what rounding leaves unused. */
    private Table autoTotals() {
        Table table = totalsTable();
        totalsRow(table, "fixed", plan.subtotal(false), plan.subtotal(true), "pods x max open of the fixed services");
        totalsRow(table, "headroom", plan.headroom(), plan.headroom(), headroomNote());
        totalsRow(table, "auto", plan.autoTotal(false), plan.autoTotal(true), "pods x share of the auto services");
        totalsRow(table, "total", plan.budget() - plan.unused(false), plan.budget() - plan.unused(true), "");
        totalsRow(table, "budget", plan.budget(), plan.budget(), budgetNote());
        totalsRow(table, "unused", plan.unused(false), plan.unused(true), unusedNote());
        return table;
    }

    private Table totalsTable() {
        return plan.scales() ? new Table("", "now", "at max pods", "") : new Table("", "now", "");
    }

    private void totalsRow(Table table, String label, long now, long atMax, String note) {
        if (plan.scales()) {
            table.row(label, now, atMax, note);
        } else {
            table.row(label, now, note);
        }
    }

    private String budgetNote() {
        return "max_connections " + plan.maxConnections + " - " + plan.reserved + " reserved";
    }

    private String headroomNote() {
        Plan.AutoSizing sizing = plan.sizing;
        if (sizing.headroomSlots >= 0) {
            return PlanArguments.HEADROOM + " " + sizing.headroomSlots;
        }
        if (sizing.headroomPercent >= 0) {
            return PlanArguments.HEADROOM + " " + sizing.headroomPercent + "% of the budget, rounded up";
        }
        return Setting.HEADROOM.key() + "'s default: " + Setting.HEADROOM.defaultText() + ", at most half the budget";
    }

    private String unusedNote() {
        if (Math.min(plan.unused(false), plan.unused(true)) < 0) {
            return "auto pods held at their floor take more than is left";
        }
        return plan.sizing.cap > 0 ? "shares rounded down or capped at " + plan.sizing.cap : "shares rounded down";
    }

    private String verdict() {
        long now = plan.total(false);
        long atMax = plan.total(true);
        long budget = plan.budget();
        if (now > budget) {
            return "does not fit now: total " + now + " is over the budget " + budget + " by " + (now - budget)
                    + (plan.scales() ? ", and " + atMax + " at max pods" : "") + "\n" + REMEDY;
        }
        if (plan.scales() && atMax > budget) {
            return "does not fit at max pods: total " + atMax + " is over the budget " + budget + " by "
                    + (atMax - budget) + " (now: " + now + ", fits)\n" + REMEDY;
        }
        return "fits: total " + now + (plan.scales() ? " now and " + atMax + " at max pods," : "")
                + " within the budget " + budget;
    }

    /** The rule with this plan's numbers in it, so that the shares in the table can be checked by hand. */
    private String howAutoWorks() {
        String cap = plan.sizing.cap > 0 ? " nor above DB_POOL_MAX_OPEN_CAP (" + plan.sizing.cap + ")" : "";
        return "With auto, each pod counts the server's sessions and takes share = (budget - headroom - fixed"
                + " services) x its weight / the sum of the weights of all auto pods, rounded down: now "
                + formula(false) + (plan.scales() ? ", at max pods " + formula(true) : "") + ", fixed services"
                + " counted at their worst case. A pod never goes below DB_POOL_MIN_OPEN (" + plan.sizing.minOpen + ")"
                + cap + " and counts again every " + Setting.SHARE_PERIOD.key() + " (default "
                + Setting.SHARE_PERIOD.defaultText() + "), so auto pools give way when others"
                + " grow. The headroom takes the buffer's place: the agent keeps it free for rolling updates,"
                + " migrations and consoles. The buffer (" + plan.bufferPercent + "%) applies to the fixed services"
                + " only, whose pools cannot give way (a note says when it does not fit).";
    }

    private String formula(boolean atMax) {
        return "(" + plan.budget() + " - " + plan.headroom() + " - " + plan.subtotal(atMax) + ") x weight / "
                + plan.weights(atMax);
    }

    /** Fits when every auto pod gets its floor now and at max pods; else which services, how many slots short. */
    private String autoVerdict() {
        if (!plan.autoFits(false)) {
            return shortfall(false, "now") + (plan.scales() ? "At max pods it is worse: up to "
                    + plan.worstShort(true) + " slots short.\n" : "") + AUTO_REMEDY;
        }
        if (!plan.autoFits(true)) {
            return shortfall(true, "at max pods (now it does)") + AUTO_REMEDY;
        }
        Plan.Service smallest = null;
        boolean atMax = plan.scales();
        for (Plan.Service s : plan.services) {
            if (s.isAuto() && (smallest == null || plan.share(s, atMax) < plan.share(smallest, atMax))) {
                smallest = s;
            }
        }
        return "fits: every auto pod gets at least DB_POOL_MIN_OPEN " + plan.sizing.minOpen
                + ", the smallest share being " + plan.share(smallest, atMax) + " (" + smallest.name
                + (atMax ? " at max pods)" : ")");
    }

    /** The first line says what is left for how many pods, then one line per auto service short of its floor. */
    private String shortfall(boolean atMax, String when) {
        StringBuilder text = new StringBuilder("does not fit " + when + ": the fixed services' "
                + plan.subtotal(atMax) + " and the headroom " + plan.headroom() + " leave "
                + Math.max(0, plan.left(atMax)) + " of the budget " + plan.budget() + " to " + plan.autoPods(atMax)
                + " auto pods, whose weights sum to " + plan.weights(atMax) + "\n");
        for (Plan.Service s : plan.services) {
            if (s.isAuto() && plan.rawShare(s, atMax) < plan.sizing.minOpen) {
                text.append("  ").append(s.name).append(": a pod would get ").append(plan.rawShare(s, atMax))
                        .append(", below DB_POOL_MIN_OPEN ").append(plan.sizing.minOpen)
                        .append(": ").append(plan.shortBy(s, atMax)).append(" slots short\n");
            }
        }
        return text.toString();
    }

    /**
     * The buffer where it still makes sense: a rolling update of a fixed service adds sessions that only the
     * auto pools can make room for, and they shrink no further than their floor. Worst at max pods. A note,
     * not a failure: the plan as deployed fits, it is its rollouts that may not.
     */
    private Optional<String> rolloutNote() {
        long fixed = plan.subtotal(true);
        long needed = fixed + plan.buffer(true) + plan.floors(true);
        if (!plan.fits() || needed <= plan.budget()) {
            return Optional.empty();
        }
        return Optional.of("note: a rollout of the fixed services may not fit: " + fixed + " + buffer "
                + plan.buffer(true) + " (" + plan.bufferPercent + "%) + " + plan.autoPods(true) + " auto pods at"
                + " their floor " + plan.sizing.minOpen + " = " + needed + " is over the budget " + plan.budget()
                + " by " + (needed - plan.budget()));
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
