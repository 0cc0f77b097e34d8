package io.poolagent.it.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Busy CPU time of the whole machine, from the first line of Linux's /proc/stat. */
public final class MachineCpu {

    /** USER_HZ: /proc/stat counts in hundredths of a second on every Linux architecture that matters here. */
    private static final long MILLIS_PER_TICK = 10;

    private MachineCpu() {
    }

    /**
     * Milliseconds spent in user, nice, system, irq and softirq since boot; -1 without /proc/stat. Steal (time the
     * hypervisor gave other guests) is not this machine's work.
     */
    public static long busyMillis() {
        try {
            String[] fields = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i <= 7 && i < fields.length; i++) {
                if (i != 4 && i != 5) { // idle and iowait
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * MILLIS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
