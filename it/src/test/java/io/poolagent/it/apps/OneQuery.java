package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

/**
 * The shortest JDBC job there is, as a cron job or a migration step would be: one connection, one query,
 * exit. Prints the peak resident memory so far and when main ended (to measure the exit apart).
 * Args: URL USER PASSWORD [LINGER_MILLIS before returning from main].
 */
public final class OneQuery {

    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection(args[0], args[1], args[2]);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select 1")) {
            rows.next();
            System.out.println("RESULT answer=" + rows.getInt(1));
        }
        if (args.length > 3) {
            Thread.sleep(Long.parseLong(args[3]));
        }
        String peak = Files.readAllLines(Paths.get("/proc/self/status")).stream()
                .filter(line -> line.startsWith("VmHWM:")).findFirst().orElse("VmHWM: 0 kB");
        System.out.println("RESULT peakKiB=" + peak.replaceAll("[^0-9]", ""));
        Instant end = Instant.now();
        System.out.println("RESULT mainEndMicros=" + (end.getEpochSecond() * 1_000_000 + end.getNano() / 1000));
    }
}
