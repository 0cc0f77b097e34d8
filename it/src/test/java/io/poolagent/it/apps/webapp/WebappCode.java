package io.poolagent.it.apps.webapp;

import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;

/**
 * A web application's code, loaded (with its own copy of pgjdbc) in a class loader of its own, as a
 * servlet container loads WEB-INF/classes and WEB-INF/lib. {@link io.poolagent.it.apps.Webapps} calls
 * it by reflection.
 */
public final class WebappCode {

    private WebappCode() {
    }

    /** Serves a few "requests", each with a fresh DriverManager connection; says whose driver answered. */
    public static String serve(String url, String user, String password) throws Exception {
        Class.forName("org.postgresql.Driver"); // registers this web application's driver
        ClassLoader own = WebappCode.class.getClassLoader();
        boolean ownDriver = true;
        for (int i = 0; i < 5; i++) {
            try (Connection c = DriverManager.getConnection(url, user, password);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                rs.next();
                PGConnection pg = (PGConnection) c; // this web application's PGConnection
                ownDriver &= pg.getClass().getClassLoader() == own
                        && c.unwrap(PGConnection.class).getClass().getClassLoader() == own;
            }
        }
        return "ownDriver=" + ownDriver;
    }

    /** Another driver of this web application comes and goes (H2 for tests, a tracing wrapper...). */
    public static int cycleAnotherDriver() throws SQLException {
        Driver other = new OtherDriver();
        DriverManager.registerDriver(other);
        DriverManager.deregisterDriver(other);
        return 1;
    }

    /** A driver for another kind of URL. */
    public static final class OtherDriver implements Driver {
        @Override
        public Connection connect(String url, java.util.Properties info) {
            return null;
        }

        @Override
        public boolean acceptsURL(String url) {
            return url.startsWith("jdbc:other:");
        }

        @Override
        public java.sql.DriverPropertyInfo[] getPropertyInfo(String url, java.util.Properties info) {
            return new java.sql.DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }
    }

    /** What a servlet container does at undeploy (Tomcat's JdbcLeakPrevention): deregister its drivers. */
    public static int undeploy() throws SQLException {
        int deregistered = 0;
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == WebappCode.class.getClassLoader()) {
                DriverManager.deregisterDriver(driver);
                deregistered++;
            }
        }
        return deregistered;
    }
}
