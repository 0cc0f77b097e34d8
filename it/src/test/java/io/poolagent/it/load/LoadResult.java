package io.poolagent.it.load;

import java.util.Arrays;

/** What one load run measured, with the k6-style numbers the summary prints. */
public final class LoadResult {

    public final String label;
    public final long requests;
    public final long failed;
    public final long sqlstate53300;
    public final double seconds;
    public final int peakBackends;
    /** The whole machine's busy CPU time during the run (every process), or -1 where /proc/stat is not there. */
    public final long cpuMillis;
    private final long[] requestNanos;
    private final long[] endToEndNanos;

    LoadResult(String label, long[] requestNanos, long[] endToEndNanos, long failed, long sqlstate53300,
               double seconds, int peakBackends, long cpuMillis) {
        this.label = label;
        this.requestNanos = requestNanos.clone();
        this.endToEndNanos = endToEndNanos.clone();
        Arrays.sort(this.requestNanos);
        Arrays.sort(this.endToEndNanos);
        this.requests = requestNanos.length;
        this.failed = failed;
        this.sqlstate53300 = sqlstate53300;
        this.seconds = seconds;
        this.peakBackends = peakBackends;
        this.cpuMillis = cpuMillis;
    }

    /**
     * The machine's CPU time per request, in microseconds: the server, the service, the load generator and the
     * sampler together. Steadier than throughput on a shared machine, since it does not depend on the CPU time
     * other tenants take.
     */
    public double cpuMicrosPerRequest() {
        return cpuMillis < 0 || requests == 0 ? Double.NaN : 1000.0 * cpuMillis / requests;
    }

    public double requestsPerSecond() {
        return requests / seconds;
    }

    /** Requests answered without an error, per second. */
    public double succeededPerSecond() {
        return (requests - failed) / seconds;
    }

    public double failureRate() {
        return requests == 0 ? 1 : (double) failed / requests;
    }

    /** Request duration percentile in milliseconds (p in 0..100). */
    public double requestMs(double p) {
        return percentile(requestNanos, p);
    }

    public double endToEndMs(double p) {
        return percentile(endToEndNanos, p);
    }

    public boolean p95Passes() {
        return requestMs(95) < 3000;
    }

    public boolean failuresPass() {
        return failureRate() < 0.05;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
