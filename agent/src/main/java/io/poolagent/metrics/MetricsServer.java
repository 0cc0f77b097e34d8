package io.poolagent.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately small HTTP/1.1 server for {@code /metrics}, {@code /health} and {@code /pools}.
 *
 * <p>Not the JDK's HttpServer: it has no per-request read timeout without JVM-wide system properties
 * (which would change the application's own servers), so a slow client could hold its threads. Here each
 * connection gets one request with a 2-second read budget and is closed ({@code Connection: close}, which
 * Prometheus handles); two daemon worker threads and a short queue bound the cost, and connections beyond
 * that are dropped at once. Every thread is a daemon: the endpoint never keeps a JVM alive.
 */
final class MetricsServer {

    static final MetricsServer NONE = new MetricsServer();

    private static final int READ_TIMEOUT_MS = 2000;
    private static final int MAX_HEADER_BYTES = 8192;

    private final ServerSocket socket;
    private final ThreadPoolExecutor workers;
    private final Endpoints endpoints;

    private MetricsServer() {
        socket = null;
        workers = null;
        endpoints = null;
    }

    private MetricsServer(ServerSocket socket, Endpoints endpoints) {
        this.socket = socket;
        this.endpoints = endpoints;
        this.workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(8),
                r -> daemon(r, "pool-agent-metrics"));
    }

    static MetricsServer start(String host, int port, AgentMetrics metrics) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        MetricsServer server = new MetricsServer(socket, new Endpoints(metrics));
        daemon(server::acceptLoop, "pool-agent-metrics-accept").start();
        return server;
    }

    int port() {
        return socket == null ? -1 : socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException busy) {
                closeQuietly(client);
            }
        }
    }

    private void serve(Socket client) {
        try (Socket c = client) {
            c.setSoTimeout(READ_TIMEOUT_MS);
            String[] request = readHead(c.getInputStream());
            Endpoints.Response response = request == null
                    ? Endpoints.Response.text(400, "bad request\n")
                    : respond(request[0], request[1]);
            write(c.getOutputStream(), response, request != null && request[0].startsWith("HEAD "));
        } catch (IOException | RuntimeException e) {
            // A client that vanished, timed out or sent garbage: nothing to tell anyone.
        }
    }

    private Endpoints.Response respond(String requestLine, String accept) {
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            return Endpoints.Response.text(400, "bad request\n");
        }
        if (!parts[0].equals("GET") && !parts[0].equals("HEAD")) {
            return Endpoints.Response.text(405, "only GET and HEAD\n");
        }
        return endpoints.handle(parts[1], accept);
    }

    /** Reads the request head: {request line, Accept header}, or null when it is malformed or too long. */
    private static String[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS);
        int last4 = 0;
        while (true) {
            if (System.nanoTime() > deadline) {
                return null; // a client trickling bytes must not hold a worker either
            }
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0D0A0D0A || (last4 & 0xFFFF) == 0x0A0A) {
                break;
            }
            if (head.size() > MAX_HEADER_BYTES) {
                return null;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r?\n");
        String accept = "";
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("accept:")) {
                accept = line.substring("accept:".length()).trim();
            }
        }
        return lines.length == 0 || lines[0].isEmpty() ? null : new String[] {lines[0], accept};
    }

    private static void write(OutputStream out, Endpoints.Response response, boolean headOnly) throws IOException {
        byte[] body = response.body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + response.status + " " + reason(response.status) + "\r\n"
                + "Content-Type: " + response.contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(body);
        }
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 503: return "Service Unavailable";
            default: return "Internal Server Error";
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(Socket client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
