package io.poolagent.it.apps;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PGobject;

import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Code written for raw pgjdbc connections: it casts the connection to {@code PGConnection} and uses the
 * driver's own API (backend PID, LISTEN/NOTIFY, the COPY API, a custom data type), and checks that every
 * JDBC way back to "the connection" leads to the object it got.
 * Args: driver-manager|data-source URL USER PASSWORD
 */
public final class DriverInterface {

    public static void main(String[] args) throws Exception {
        String url = args[1];
        String user = args[2];
        String password = args[3];
        ConnectStorm.Opener open = ConnectStorm.opener(args[0], url, user, password);

        // A borrower that only casts and calls the driver's API: the pool must see it, and not lend that
        // session again (its driver-side state is out of the agent's sight).
        int castPid;
        try (Connection c = open.open()) {
            castPid = ((PGConnection) c).getBackendPID();
        }
        try (Connection c = open.open()) {
            System.out.println("RESULT castOnlySessionNotReused=" + (serverPid(c) != castPid));
        }

        int firstPid;
        try (Connection c = open.open()) {
            PGConnection pg = (PGConnection) c;
            System.out.println("RESULT class=" + Held.className(c));
            firstPid = pg.getBackendPID();
            System.out.println("RESULT pidMatchesServer=" + (firstPid == serverPid(c)));
            System.out.println("RESULT unwrapped=" + c.unwrap(PGConnection.class).getClass().getName());
            System.out.println("RESULT isWrapperFor=" + c.isWrapperFor(PGConnection.class));

            try (Statement s = c.createStatement()) {
                s.execute("LISTEN jobs");
                s.execute("NOTIFY jobs, 'job-42'");
            }
            PGNotification[] notifications = pg.getNotifications(5_000);
            System.out.println("RESULT notification=" + (notifications == null || notifications.length == 0
                    ? "none" : notifications[0].getName() + ":" + notifications[0].getParameter()));

            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE copied(id int, name text)");
            }
            CopyManager copy = pg.getCopyAPI();
            long rows = copy.copyIn("COPY copied FROM STDIN", new StringReader("1\tone\n2\ttwo\n"));
            StringWriter out = new StringWriter();
            copy.copyOut("COPY (SELECT name FROM copied ORDER BY id) TO STDOUT", out);
            System.out.println("RESULT copy=" + rows + ":" + out.toString().trim().replace('\n', ','));

            pg.addDataType("point_text", PGobject.class);
            System.out.println("RESULT addDataType=ok");

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1");
                 PreparedStatement p = c.prepareStatement("select ?")) {
                System.out.println("RESULT statementConnection=" + (s.getConnection() == c));
                System.out.println("RESULT resultSetConnection=" + (rs.getStatement().getConnection() == c));
                System.out.println("RESULT preparedConnection=" + (p.getConnection() == c));
                System.out.println("RESULT metaDataConnection=" + (c.getMetaData().getConnection() == c));
                System.out.println("RESULT statementConnectionCasts=" + (s.getConnection() instanceof PGConnection));
            }
        }
        // The session was used through the driver's own API: the next borrower must get a fresh one.
        try (Connection c = open.open()) {
            System.out.println("RESULT nextBorrowerGotFreshSession=" + (((PGConnection) c).getBackendPID() != firstPid));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "select count(*) from pg_listening_channels()")) {
                rs.next();
                System.out.println("RESULT nextBorrowerListens=" + rs.getInt(1));
            }
        }
    }

    private static int serverPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
