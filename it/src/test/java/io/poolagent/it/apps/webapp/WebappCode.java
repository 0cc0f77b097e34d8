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
                ownDriver &= pg.getClass().getClassLoader().getParent() == own
                        && c.unwrap(PGConnection.class).getClass().getClassLoader() == own;
            }
        }
        return "ownDriver=" + ownDriver;
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
