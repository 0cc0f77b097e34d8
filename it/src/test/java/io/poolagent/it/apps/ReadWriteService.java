package io.poolagent.it.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * A Spring service that reads much and writes some, as the read-replica feature meets it: reads are
 * {@code @Transactional(readOnly = true)} (Spring's transaction manager calls {@code setReadOnly(true)} before
 * the first statement, the one signal the agent routes on), writes ordinary {@code @Transactional}; the
 * connections come from {@link DriverManagerDataSource}, a fresh DriverManager connection per transaction, the
 * naive way the agent pools. The application is never told about replicas.
 *
 * <p>Each request is a read of a random row that existed at start ({@code findById}, one statement that also
 * returns {@code inet_server_port()}, so the service knows which server answered), or a write (an INSERT,
 * counted once committed) followed at once, on the same thread, by a read-only read of the row just written: a
 * read-your-writes check, a miss when the row is not found. The table {@code items (id bigserial, label text)}
 * must exist and hold rows.
 *
 * <p>Args: URL USER PASSWORD THREADS SECONDS|STOP_FILE READ_PERCENT OUTPUT [READ_SLEEP_MS]. Runs for SECONDS,
 * or until STOP_FILE exists. READ_SLEEP_MS (default 0) makes each read hold its session that long on the server
 * ({@code pg_sleep} in the same statement), modelling an I/O-bound read. OUTPUT gets the counts as
 * {@code key=value} lines, rewritten every 200 ms while the load runs (so a test can watch them) and once at the
 * end with the throughput and latencies; the final counts are also printed as {@code RESULT} lines. With
 * {@code -Dapp.warmup.seconds=N} (a benchmark's) the throughput and latencies leave out the first N seconds.
 */
public final class ReadWriteService {

    /** What a read found: the row and the port of the server that answered. */
    public record Item(long id, String label, int port) {
    }

    /** The service: Spring wraps it in a transactional proxy (a JDK proxy, through this interface). */
    public interface Items {
        Item findById(long id);

        Item add(String label);

        long maxId();
    }

    /** The service's JDBC, one statement per transaction, as a typical repository does it. */
    public static class JdbcItems implements Items {
        private final JdbcTemplate jdbc;
        private final String findSql;

        JdbcItems(JdbcTemplate jdbc, int readSleepMillis) {
            this.jdbc = jdbc;
            // pg_sleep in the FROM list returns one row, so the lookup stays one statement that holds the session.
            this.findSql = "SELECT i.id, i.label, inet_server_port() FROM items i"
                    + (readSleepMillis > 0 ? ", pg_sleep(" + readSleepMillis / 1000.0 + ")" : "") + " WHERE i.id = ?";
        }

        @Override
        @Transactional(readOnly = true)
        public Item findById(long id) {
            List<Item> found = jdbc.query(findSql, (rs, n) -> new Item(rs.getLong(1), rs.getString(2), rs.getInt(3)), id);
            return found.isEmpty() ? null : found.get(0);
        }

        @Override
        @Transactional
        public Item add(String label) {
            return jdbc.queryForObject("INSERT INTO items (label) VALUES (?) RETURNING id, label, inet_server_port()",
                    (rs, n) -> new Item(rs.getLong(1), rs.getString(2), rs.getInt(3)), label);
        }

        /** Not read-only on purpose: the rows that exist at start are counted on the primary. */
        @Override
        @Transactional
        public long maxId() {
            Long max = jdbc.queryForObject("SELECT max(id) FROM items", Long.class);
            return max == null ? 0 : max;
        }
    }

    /** The command line, as a bean the configuration reads. */
    record Settings(String url, String user, String password, int readSleepMillis) {
    }

    @Configuration
    @EnableTransactionManagement
    static class Config {
        @Bean
        DataSource dataSource(Settings settings) {
            return new DriverManagerDataSource(settings.url(), settings.user(), settings.password());
        }

        @Bean
        PlatformTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        Items items(DataSource dataSource, Settings settings) {
            return new JdbcItems(new JdbcTemplate(dataSource), settings.readSleepMillis());
        }
    }

    private final Items items;
    private final long rowsAtStart;
    private final int readPercent;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final List<long[]> latencies = new ArrayList<>();
    /** Requests that start before this are not timed: the JIT and the pools are still warming up. */
    private final long measureFrom = System.nanoTime() + Long.getLong("app.warmup.seconds", 0) * 1_000_000_000L;

    private ReadWriteService(Items items, int readPercent) {
        this.items = items;
        this.rowsAtStart = items.maxId();
        this.readPercent = readPercent;
        if (rowsAtStart < 1) {
            throw new IllegalStateException("the items table is empty: the reads need rows that exist");
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = new Settings(args[0], args[1], args[2], args.length > 7 ? Integer.parseInt(args[7]) : 0);
        int threads = Integer.parseInt(args[3]);
        BooleanSupplier stop = stopCondition(args[4]);
        Path output = Paths.get(args[6]);
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.registerBean(Settings.class, () -> settings);
            context.register(Config.class);
            context.refresh();
            ReadWriteService service = new ReadWriteService(context.getBean(Items.class), Integer.parseInt(args[5]));
            System.out.println("RESULT started=true");
            service.run(threads, stop, output);
        }
    }

    /** A number is a duration in seconds from now; anything else names a file whose existence ends the run. */
    private static BooleanSupplier stopCondition(String arg) {
        if (arg.matches("\\d+")) {
            long end = System.nanoTime() + Long.parseLong(arg) * 1_000_000_000L;
            return () -> System.nanoTime() - end >= 0;
        }
        Path file = Paths.get(arg);
        return () -> Files.exists(file);
    }

    private void run(int threads, BooleanSupplier stop, Path output) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> work(stop), "worker-" + t);
            workers.add(worker);
            worker.start();
        }
        while (workers.stream().anyMatch(Thread::isAlive)) {
            write(output, summary(""));
            Thread.sleep(200);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        String last = summary(timing(System.nanoTime() - measureFrom));
        write(output, last);
        last.lines().forEach(line -> System.out.println("RESULT " + line));
    }

    /** One thread's requests until told to stop; its latencies (ns) are kept for the percentiles. */
    private void work(BooleanSupplier stop) {
        long[] took = new long[1 << 12];
        int n = 0;
        while (!stop.getAsBoolean()) {
            long start = System.nanoTime();
            boolean ok = ThreadLocalRandom.current().nextInt(100) < readPercent ? read() : writeAndReadBack();
            if (!ok) {
                pause(20); // a failing service answers fast; do not spin on it
                continue;
            }
            if (start - measureFrom < 0) {
                continue;
            }
            if (n == took.length) {
                took = Arrays.copyOf(took, n * 2);
            }
            took[n++] = System.nanoTime() - start;
        }
        synchronized (latencies) {
            latencies.add(Arrays.copyOf(took, n));
        }
    }

    private boolean read() {
        try {
            Item item = items.findById(1 + ThreadLocalRandom.current().nextLong(rowsAtStart));
            if (item == null) {
                count("reads.notFound"); // a row that existed at start: no bound on lag excuses this
                return true;
            }
            count("reads");
            count("reads.port." + item.port());
            return true;
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    /** A write, then at once a read-only read of that row on this thread: it must see the write. */
    private boolean writeAndReadBack() {
        Item written;
        try {
            written = items.add(Thread.currentThread().getName());
        } catch (RuntimeException e) {
            return failed(e);
        }
        count("writes");
        count("writes.port." + written.port());
        try {
            Item read = items.findById(written.id());
            count(read == null ? "misses" : "checks");
            if (read != null) {
                count("checks.port." + read.port());
            }
            return true;
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    /** Counts the failure under its SQLSTATE (the first SQLException in the causes), or its class. */
    private boolean failed(RuntimeException e) {
        String state = e.getClass().getSimpleName();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                state = sql.getSQLState();
                break;
            }
        }
        count("errors");
        count("errors." + state);
        if (counts.get("errors").sum() <= 5) { // the first few in full, for whoever reads the output
            e.printStackTrace();
        }
        return false;
    }

    private void count(String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** Every count as key=value lines, sorted, with the zero counts a reader looks for first. */
    private String summary(String extra) {
        Map<String, Long> sorted = new TreeMap<>();
        for (String key : List.of("writes", "reads", "checks", "misses", "errors", "reads.notFound")) {
            sorted.put(key, 0L);
        }
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        StringBuilder out = new StringBuilder();
        sorted.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.append(extra).toString();
    }

    private String timing(long elapsedNanos) {
        long[] all;
        synchronized (latencies) {
            all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        }
        double seconds = elapsedNanos / 1e9;
        return String.format(Locale.ROOT, "requests=%d%nseconds=%.3f%nrequestsPerSecond=%.1f%np50Ms=%.3f%np95Ms=%.3f%n",
                all.length, seconds, all.length / seconds, percentile(all, 50), percentile(all, 95));
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** Through a file beside it and a rename, so that a reader never sees half a summary. */
    private static void write(Path output, String text) {
        try {
            Path next = output.resolveSibling(output.getFileName() + ".next");
            Files.writeString(next, text, StandardCharsets.UTF_8);
            Files.move(next, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
