package io.poolagent.config;

import java.time.Duration;

/**
 * How a pool sized by {@code DB_MAX_OPEN_CONNS=auto} takes its share of the server: the slots it leaves free,
 * the service it belongs to and how much that service counts, its floor and ceiling, and how often it looks
 * again. Only {@link Settings} builds one, and only for {@code auto}.
 */
public final class ShareSettings {

    /**
     * Room for the newcomers a fleet must not starve: a service without the agent starting up with HikariCP's
     * default pool of 10, a migration tool and a human with psql.
     */
    static final int DEFAULT_HEADROOM_SLOTS = 12;
    static final int DEFAULT_HEADROOM_PERCENT = 10;
    /** The default as an operator reads it; the planner says it too. */
    public static final String DEFAULT_HEADROOM = "max(12, 10%)";
    /** A larger headroom leaves the instances too little to be worth sharing. */
    public static final int MAX_HEADROOM_PERCENT = 90;

    private final int headroomSlots;
    private final int headroomPercent;
    private final String service;
    private final int weight;
    private final int minOpen;
    private final int maxOpenCap;
    private final Duration period;

    /**
     * @param headroomSlots   a fixed number of slots, or -1 when given as a percentage or left to the default
     * @param headroomPercent a percentage of the budget, or -1
     * @param maxOpenCap      0 for no cap
     */
    ShareSettings(int headroomSlots, int headroomPercent, String service, int weight, int minOpen, int maxOpenCap,
                  Duration period) {
        this.headroomSlots = headroomSlots;
        this.headroomPercent = headroomPercent;
        this.service = service;
        this.weight = weight;
        this.minOpen = minOpen;
        this.maxOpenCap = maxOpenCap;
        this.period = period;
    }

    /**
     * DB_MAX_OPEN_CONNS=auto's settings; {@code host} names the service when DB_POOL_SERVICE does not. A bad value
     * gets its problem line and the default, as every setting does.
     */
    static ShareSettings read(SettingReader in, String host) {
        int slots = -1;
        int percent = -1;
        String headroom = in.raw(Setting.HEADROOM);
        if (headroom != null) {
            boolean isPercent = headroom.endsWith("%");
            int value = in.count(Setting.HEADROOM, -1, Setting.HEADROOM.least(),
                    isPercent ? MAX_HEADROOM_PERCENT : Setting.HEADROOM.most(), "a number of connections like 10, or a"
                            + " percentage of the server's budget from 0% to " + MAX_HEADROOM_PERCENT + "% like 15%",
                    Setting.HEADROOM.defaultText(), isPercent ? headroom.substring(0, headroom.length() - 1).trim()
                            : headroom);
            if (isPercent) {
                percent = value;
            } else {
                slots = value;
            }
        }
        String service = in.raw(Setting.SERVICE);
        if (service != null && !ServiceName.valid(service)) {
            in.reject(Setting.SERVICE, service, "1 to " + ServiceName.MAX_LENGTH + " letters, digits, '.', '_' or '-'",
                    "from the host name");
            service = null;
        }
        int weight = in.count(Setting.SHARE_WEIGHT, Setting.SHARE_WEIGHT.wholeNumber()
                + ", like 2 for a service whose instances count twice");
        int minOpen = in.count(Setting.MIN_OPEN, Setting.MIN_OPEN.wholeNumber());
        int cap = in.count(Setting.MAX_OPEN_CAP, 0, Setting.MAX_OPEN_CAP.most(), "a whole number from " + minOpen
                + " (" + Settings.MIN_OPEN + ") to " + Setting.MAX_OPEN_CAP.most() + ", or 0 for none");
        if (cap > 0 && cap < minOpen) {
            in.reject(Setting.MAX_OPEN_CAP, in.raw(Setting.MAX_OPEN_CAP), "at least " + Settings.MIN_OPEN + " ("
                    + minOpen + ")", Setting.MAX_OPEN_CAP.defaultText());
            cap = 0;
        }
        Duration period = in.duration(Setting.SHARE_PERIOD);
        return new ShareSettings(slots, percent, service != null ? service : ServiceName.fromHost(host), weight,
                minOpen, cap, period);
    }

    /**
     * An auto service's settings as the planner is given them: the arithmetic needs no service name, weight
     * (the planner weighs each service itself) or period.
     *
     * @param headroomSlots   -1 unless a number of slots was given
     * @param headroomPercent -1 unless a percentage was given
     * @param maxOpenCap      0 for no cap
     */
    public static ShareSettings forPlan(int headroomSlots, int headroomPercent, int minOpen, int maxOpenCap) {
        return new ShareSettings(headroomSlots, headroomPercent, "plan", 1, minOpen, maxOpenCap,
                Duration.ofSeconds(10));
    }

    /** A size within DB_POOL_MIN_OPEN and DB_POOL_MAX_OPEN_CAP; the floor wins, as a cap below it is refused. */
    public int clamp(int size) {
        int capped = maxOpenCap > 0 ? Math.min(maxOpenCap, size) : size;
        return Math.max(minOpen, capped);
    }

    /**
     * The slots no instance takes, out of a budget of {@code budget} (max_connections less the reserved ones):
     * as configured, or by default a tenth of the budget but at least 12; never more than half the budget,
     * so that a small server still leaves its instances something.
     */
    public int headroom(int budget) {
        int slots;
        if (headroomSlots >= 0) {
            slots = headroomSlots;
        } else if (headroomPercent >= 0) {
            slots = (budget * headroomPercent + 99) / 100;
        } else {
            slots = defaultHeadroom(budget);
        }
        return Math.max(0, slots);
    }

    /** {@link #DEFAULT_HEADROOM} of a budget: a tenth of it, rounded up, at least 12, at most half of it. */
    public static int defaultHeadroom(int budget) {
        return Math.min(Math.max(DEFAULT_HEADROOM_SLOTS, (budget * DEFAULT_HEADROOM_PERCENT + 99) / 100), budget / 2);
    }

    /** The headroom as the operator would write it, for the ready line. */
    public String describeHeadroom() {
        if (headroomSlots >= 0) {
            return String.valueOf(headroomSlots);
        }
        return headroomPercent >= 0 ? headroomPercent + "%" : DEFAULT_HEADROOM;
    }

    /** DB_POOL_SERVICE: shown in application_name beside the instance's own id. */
    public String service() {
        return service;
    }

    /** DB_POOL_SHARE_WEIGHT: an instance of this service counts this many times. */
    public int weight() {
        return weight;
    }

    /** DB_POOL_MIN_OPEN: the pool never shrinks below this, whatever the server says. */
    public int minOpen() {
        return minOpen;
    }

    /** DB_POOL_MAX_OPEN_CAP: the pool never grows above this; 0 when unset. */
    public int maxOpenCap() {
        return maxOpenCap;
    }

    /** DB_POOL_SHARE_PERIOD: how often a pool counts the server's sessions again. */
    public Duration period() {
        return period;
    }

    /**
     * The size of a pool that cannot take a share: not PostgreSQL, behind a pooler, or a role that cannot read
     * pg_stat_activity. The cap when set, else HikariCP's default pool size.
     */
    public int fallbackSize() {
        return maxOpenCap > 0 ? maxOpenCap : Math.max(minOpen, 10);
    }

    /** The largest the pool may be: the cap, or the settings' ceiling without one. */
    int ceiling() {
        return maxOpenCap > 0 ? maxOpenCap : Settings.MAX_POOL_SIZE;
    }

    @Override
    public String toString() {
        return "Headroom=" + describeHeadroom() + ", Service=" + service + ", Weight=" + weight + ", MinOpen=" + minOpen
                + (maxOpenCap > 0 ? ", MaxOpenCap=" + maxOpenCap : "") + ", SharePeriod=" + GoDuration.format(period);
    }
}
