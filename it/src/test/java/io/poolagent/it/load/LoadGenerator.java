package io.poolagent.it.load;

import io.poolagent.it.support.BackendSampler;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A k6-style load test of the sample auth-service: N virtual users, each looping register then login
 * with a fresh e-mail, for a fixed time; it stops by itself. Meanwhile it samples the server's client
 * backends from pg_stat_activity.
 */
public final class LoadGenerator {

    private final String baseUrl;
    private final int virtualUsers;
    private final Duration duration;
    private int iterationsPerUser = Integer.MAX_VALUE;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public LoadGenerator(String baseUrl, int virtualUsers, Duration duration) {
        this.baseUrl = baseUrl;
        this.virtualUsers = virtualUsers;
        this.duration = duration;
    }

    /** Stops each virtual user after this many register + login iterations (or at the time limit). */
    public LoadGenerator iterationsPerUser(int iterations) {
        this.iterationsPerUser = iterations;
        return this;
    }

    /** Runs the load; {@code sampleUrl} is a superuser JDBC URL for counting backends. */
    public LoadResult run(String label, String sampleUrl, String sampleUser) throws Exception {
        List<long[]> perUserRequests = new ArrayList<>();
        List<long[]> perUserEndToEnd = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        AtomicLong tooManyConnections = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> users = new ArrayList<>();
        // Every run registers e-mails of its own: a repeated one would be a fast 409, not a registration.
        String run = Long.toString(System.nanoTime(), 36);
        long began;
        int peak;
        long cpuBefore;
        try (BackendSampler sampler = new BackendSampler(sampleUrl, sampleUser, "")) {
            began = System.nanoTime();
            cpuBefore = MachineCpu.busyMillis();
            for (int vu = 0; vu < virtualUsers; vu++) {
                Recorder recorder = new Recorder();
                perUserRequests.add(null);
                perUserEndToEnd.add(null);
                int index = vu;
                Thread user = new Thread(() -> {
                    int iteration = 0;
                    while (System.nanoTime() < end && iteration < iterationsPerUser) {
                        String email = run + "-" + index + "-" + iteration++ + "@example.com";
                        String body = "{\"email\":\"" + email + "\",\"password\":\"pw-" + index + "\"}";
                        long start = System.nanoTime();
                        boolean ok = post("/register", body, recorder, failed, tooManyConnections)
                                && post("/login", body, recorder, failed, tooManyConnections);
                        if (ok) {
                            recorder.endToEnd(System.nanoTime() - start);
                        }
                    }
                    synchronized (perUserRequests) {
                        perUserRequests.set(index, recorder.requests());
                        perUserEndToEnd.set(index, recorder.endToEnds());
                    }
                }, "vu-" + vu);
                users.add(user);
                user.start();
            }
            for (Thread user : users) {
                user.join();
            }
            peak = sampler.stop();
        }
        long cpuMillis = MachineCpu.busyMillis() - cpuBefore;
        double seconds = (System.nanoTime() - began) / 1e9;
        return new LoadResult(label, concat(perUserRequests), concat(perUserEndToEnd), failed.get(),
                tooManyConnections.get(), seconds, peak, cpuMillis);
    }

    private boolean post(String path, String body, Recorder recorder, AtomicLong failed, AtomicLong tooMany) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            recorder.request(System.nanoTime() - start);
            if (response.statusCode() >= 400) {
                failed.incrementAndGet();
                if (response.body().contains("\"sqlstate\":\"53300\"")) {
                    tooMany.incrementAndGet();
                }
                return false;
            }
            return true;
        } catch (IOException e) {
            recorder.request(System.nanoTime() - start);
            failed.incrementAndGet();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Prints two or more runs side by side, k6's way. */
    public static String summary(List<LoadResult> runs) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-30s", ""));
        for (LoadResult r : runs) {
            out.append(String.format(Locale.ROOT, "%-26s", r.label));
        }
        out.append('\n');
        row(out, "http_req_duration p(50)", runs, r -> ms(r.requestMs(50)));
        row(out, "http_req_duration p(95)", runs, r -> ms(r.requestMs(95)) + (r.p95Passes() ? " ok <3s" : " FAIL <3s"));
        row(out, "http_req_duration p(99)", runs, r -> ms(r.requestMs(99)));
        row(out, "http_req_duration max", runs, r -> ms(r.requestMs(100)));
        row(out, "http_reqs", runs, r -> String.format(Locale.ROOT, "%d (%.0f/s)", r.requests, r.requestsPerSecond()));
        row(out, "http_req_failed", runs, r -> String.format(Locale.ROOT, "%.2f%% %s", 100 * r.failureRate(),
                r.failuresPass() ? "ok <5%" : "FAIL <5%"));
        row(out, "responses with SQLSTATE 53300", runs, r -> String.valueOf(r.sqlstate53300));
        row(out, "end_to_end_duration p(95)", runs, r -> ms(r.endToEndMs(95)));
        row(out, "peak client backends", runs, r -> String.valueOf(r.peakBackends));
        return out.toString();
    }

    private static void row(StringBuilder out, String name, List<LoadResult> runs,
                            java.util.function.Function<LoadResult, String> cell) {
        out.append(String.format(Locale.ROOT, "%-30s", name + " "));
        for (LoadResult r : runs) {
            out.append(String.format(Locale.ROOT, "%-26s", cell.apply(r)));
        }
        out.append('\n');
    }

    private static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2fs", millis / 1000)
                : String.format(Locale.ROOT, "%.1fms", millis);
    }

    private static long[] concat(List<long[]> parts) {
        int size = parts.stream().mapToInt(p -> p == null ? 0 : p.length).sum();
        long[] all = new long[size];
        int at = 0;
        for (long[] part : parts) {
            if (part != null) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
        }
        return all;
    }

    /** One virtual user's samples; only its own thread writes. */
    private static final class Recorder {
        private long[] requests = new long[256];
        private int requestCount;
        private long[] endToEnds = new long[128];
        private int endToEndCount;

        void request(long nanos) {
            if (requestCount == requests.length) {
                requests = java.util.Arrays.copyOf(requests, requestCount * 2);
            }
            requests[requestCount++] = nanos;
        }

        void endToEnd(long nanos) {
            if (endToEndCount == endToEnds.length) {
                endToEnds = java.util.Arrays.copyOf(endToEnds, endToEndCount * 2);
            }
            endToEnds[endToEndCount++] = nanos;
        }

        long[] requests() {
            return java.util.Arrays.copyOf(requests, requestCount);
        }

        long[] endToEnds() {
            return java.util.Arrays.copyOf(endToEnds, endToEndCount);
        }
    }
}
