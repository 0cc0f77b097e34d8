package io.poolagent.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fixture itself: the other tests are only as trustworthy as the server it gives them. */
@Tag("slow")
class PostgresServerTest {

    @Test
    void appliesMaxConnectionsAndScramAndSurvivesRestart() throws Exception {
        Path dataParent;
        try (PostgresServer pg = PostgresServer.start(17, PostgresServer.Auth.SCRAM)) {
            pg.createRole("alice", "secret-a");
            try (Connection c = DriverManager.getConnection(pg.url(), "alice", "secret-a");
                    ResultSet rs = c.createStatement().executeQuery("SHOW max_connections")) {
                rs.next();
                assertEquals("17", rs.getString(1));
            }
            SQLException wrong = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(pg.url(), "alice", "nope"));
            assertEquals("28P01", wrong.getSQLState());

            pg.restart();
            try (Connection c = DriverManager.getConnection(pg.url(), "alice", "secret-a")) {
                assertTrue(c.isValid(2));
            }
            pg.stop();
            SQLException down = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(pg.url(), "alice", "secret-a"));
            assertTrue(down.getSQLState().startsWith("08"), down.getSQLState());
            dataParent = pg.directory();
            assertTrue(Files.isDirectory(dataParent));
        }
        assertFalse(Files.exists(dataParent), "close() deletes the server's directory");
    }

    @Test
    void trustModeNeedsNoPassword() throws Exception {
        try (PostgresServer pg = PostgresServer.start(10, PostgresServer.Auth.TRUST)) {
            pg.createRole("bob", "bob-unused-pw-3301");
            try (Connection c = DriverManager.getConnection(pg.url(), "bob", "anything")) {
                assertTrue(c.isValid(2));
            }
        }
    }
}
