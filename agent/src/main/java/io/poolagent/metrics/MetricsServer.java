package io.poolagent.metrics;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.poolagent.runtime.AgentThreads;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint, on the JDK's own HTTP server ({@code com.sun.net.httpserver}, as jmx_exporter and the
 * Prometheus Java exporters use it), with the Prometheus client's metrics handler for {@code /metrics}
 * (content negotiation for OpenMetrics, gzip, {@code name[]} filters) and the agent's handlers for the
 * probes and {@code /pools}.
 *
 * <p>The JDK server reads each request on a worker thread, so slow clients hold workers: up to
 * {@link #MAX_WORKERS} daemon threads serve at once (beyond that a connection is closed at once), and a worker
 * whose exchange runs longer than {@link #MAX_EXCHANGE_SECONDS} is interrupted, which closes its connection
 * ({@link TimedWorkers}). The JDK's own limits are JVM-wide system properties, which would also bind the
 * application's own servers: the agent sets none. Every thread is a daemon: the endpoint never keeps a JVM alive.
 */
final class MetricsServer {

    static final int MAX_WORKERS = 64;
    /** Seconds a client may take to send its request and receive the answer: a scrape's default timeout. */
    static final int MAX_EXCHANGE_SECONDS = 10;

    private final HttpServer server;
    private final TimedWorkers workers;

    private MetricsServer(HttpServer server, TimedWorkers workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Built and started on one of the agent's threads: the JDK server starts its timer threads when it is
     * created and its dispatcher when it starts, and each inherits the daemon flag, context class loader and
     * access context of the thread at hand, here some application thread (see {@link AgentThreads}).
     */
    static MetricsServer start(String host, int port, CollectorRegistry registry, Endpoints endpoints,
                               String user, String password) throws IOException {
        FutureTask<MetricsServer> start = new FutureTask<>(() -> build(host, port, registry, endpoints, user, password));
        AgentThreads.daemon(start, "pool-agent-http-start").start();
        try {
            return start.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the metrics endpoint", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        }
    }

    private static MetricsServer build(String host, int port, CollectorRegistry registry, Endpoints endpoints,
                                       String user, String password) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 50);
        TimedWorkers workers = new TimedWorkers(TimeUnit.SECONDS.toNanos(MAX_EXCHANGE_SECONDS));
        server.setExecutor(workers);
        BasicAuthenticator auth = user == null ? null : new Credentials(user, password);
        HTTPServer.HTTPMetricHandler metrics = new HTTPServer.HTTPMetricHandler(registry);
        context(server, "/metrics", metrics::handle, auth);
        context(server, "/pools", exchange -> send(exchange, endpoints.pools()), auth);
        context(server, "/health", exchange -> send(exchange, endpoints.ready()), null);
        context(server, "/health/ready", exchange -> send(exchange, endpoints.ready()), null);
        context(server, "/health/live", exchange -> send(exchange, endpoints.live()), null);
        context(server, "/", exchange -> send(exchange, Endpoints.Response.text(404,
                "not found: try /metrics, /health/live, /health/ready or /pools\n")), null);
        server.start();
        return new MetricsServer(server, workers);
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
        workers.shutdown();
    }

    /**
     * The server's workers, each exchange timed: once a second a sweeper interrupts the worker of every exchange
     * older than the limit. The JDK server reads and writes through an interruptible channel, so the interrupt
     * closes that connection and frees the worker. An exchange that ended is never interrupted: the sweeper and
     * the worker settle each exchange's end under its lock, and the worker clears any late flag.
     */
    static final class TimedWorkers implements Executor {
        private final long limitNanos;
        private final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, MAX_WORKERS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("pool-agent-http"));
        private final ScheduledThreadPoolExecutor sweeper = new ScheduledThreadPoolExecutor(1,
                daemonThreads("pool-agent-http-timer"));
        private final Set<Exchange> running = ConcurrentHashMap.newKeySet();

        TimedWorkers(long limitNanos) {
            this.limitNanos = limitNanos;
            sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        }

        @Override
        public void execute(Runnable exchange) {
            pool.execute(new Exchange(exchange));
        }

        private void sweep() {
            long now = System.nanoTime();
            for (Exchange exchange : running) {
                if (now - exchange.started > limitNanos) {
                    exchange.interrupt();
                }
            }
        }

        void shutdown() {
            sweeper.shutdownNow();
            pool.shutdownNow();
        }

        private final class Exchange implements Runnable {
            private final Runnable task;
            private volatile long started;
            private Thread worker;
            private boolean ended;

            Exchange(Runnable task) {
                this.task = task;
            }

            @Override
            public void run() {
                synchronized (this) {
                    worker = Thread.currentThread();
                    started = System.nanoTime();
                }
                running.add(this);
                try {
                    task.run();
                } finally {
                    running.remove(this);
                    synchronized (this) {
                        ended = true;
                    }
                    Thread.interrupted(); // a worker goes back to the pool without the flag
                }
            }

            synchronized void interrupt() {
                if (!ended && worker != null) {
                    worker.interrupt();
                }
            }
        }
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    /** One path, exactly (the JDK matches prefixes), GET and HEAD only. */
    private static void context(HttpServer server, String path, Handler handler, BasicAuthenticator auth) {
        HttpContext context = server.createContext(path, exchange -> {
            try {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    send(exchange, Endpoints.Response.text(405, "only GET and HEAD\n"));
                } else if (!path.equals("/") && !exchange.getRequestURI().getPath().equals(path)) {
                    send(exchange, Endpoints.Response.text(404, "not found\n"));
                } else {
                    handler.handle(exchange);
                }
            } finally {
                exchange.close();
            }
        });
        if (auth != null) {
            context.setAuthenticator(auth);
        }
    }

    private static void send(HttpExchange exchange, Endpoints.Response response) throws IOException {
        byte[] body = response.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        return AgentThreads.factory(prefix);
    }

    /** Basic auth, as jmx_exporter offers; compared in constant time. */
    private static final class Credentials extends BasicAuthenticator {
        private final byte[] user;
        private final byte[] password;

        Credentials(String user, String password) {
            super("pool-agent");
            this.user = user.getBytes(StandardCharsets.UTF_8);
            this.password = password.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean checkCredentials(String user, String password) {
            boolean userMatches = MessageDigest.isEqual(this.user, user.getBytes(StandardCharsets.UTF_8));
            boolean passwordMatches = MessageDigest.isEqual(this.password, password.getBytes(StandardCharsets.UTF_8));
            return userMatches & passwordMatches;
        }
    }
}
