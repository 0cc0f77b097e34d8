package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds N connections, then asks for one more: with DB_MAX_OPEN_CONNS=N the caller must get an
 * SQLException that says the pool is exhausted, after the acquire timeout.
 * Args: URL USER PASSWORD N
 */
public final class HoldAndExhaust {

    public static void main(String[] args) throws Exception {
        List<Connection> held = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
            held.add(DriverManager.getConnection(args[0], args[1], args[2]));
        }
        long start = System.nanoTime();
        try (Connection extra = DriverManager.getConnection(args[0], args[1], args[2])) {
            System.out.println("RESULT extra=connected");
        } catch (SQLException e) {
            System.out.println("RESULT extra=refused");
            System.out.println("RESULT exceptionClass=" + e.getClass().getName());
            System.out.println("RESULT message=" + e.getMessage());
        }
        System.out.println("RESULT waitedMs=" + (System.nanoTime() - start) / 1_000_000);
        for (Connection c : held) {
            c.close();
        }
    }
}
