package io.poolagent.pool;

import io.poolagent.pgjdbc.PgjdbcNames;

import java.sql.Driver;

/**
 * The driver for a pgjdbc DataSource that the agent pools: pgjdbc's own {@code Driver} from the class loader
 * that holds the DataSource's pgjdbc, so that its connections are of the classes the application links
 * against. (Connects through DriverManager or the driver itself come with their driver instance.)
 */
final class DriverLocator {

    private DriverLocator() {
    }

    static Driver pgjdbc(ClassLoader loader) throws ReflectiveOperationException {
        return (Driver) Class.forName(PgjdbcNames.DRIVER, true, loader).getConstructor().newInstance();
    }
}
