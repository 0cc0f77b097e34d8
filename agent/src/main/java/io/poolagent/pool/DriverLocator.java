package io.poolagent.pool;

import java.sql.Driver;
import java.sql.SQLException;
import java.util.ServiceLoader;


/**
 * Finds the driver for a pgjdbc DataSource that the agent pools: the driver in the DataSource's own class
 * loader, through the standard {@code META-INF/services/java.sql.Driver} entries, so that its connections
 * are of the classes the application links against. (Connects through DriverManager or the driver itself
 * come with their driver instance.)
 */
final class DriverLocator {

    private DriverLocator() {
    }

    static Driver find(String url, ClassLoader loader) throws SQLException {
        for (Driver driver : ServiceLoader.load(Driver.class, loader)) {
            if (driver.acceptsURL(url)) {
                return driver;
            }
        }
        throw new IllegalStateException("no JDBC driver for " + JdbcUrls.mask(url) + " visible to " + loader);
    }
}
