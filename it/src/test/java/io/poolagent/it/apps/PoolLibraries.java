package io.poolagent.it.apps;

import com.mchange.v2.c3p0.ComboPooledDataSource;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import org.apache.commons.dbcp2.BasicDataSource;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.vibur.dbcp.ViburDBCPDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application that pools with one of the common pool libraries, configured the usual way from a URL,
 * a user and a password. 20 threads run 20 short queries each; then, holding three connections at once, it
 * reports how many sessions its run has on the server (the test gives each run its own application_name).
 * Args: dbcp2|tomcat-dbcp|c3p0|tomcat-jdbc|agroal|vibur|druid|mybatis|hibernate URL USER PASSWORD POOL_SIZE
 */
public final class PoolLibraries {

    interface Pool extends AutoCloseable {
        Connection get() throws SQLException;

        default void giveBack(Connection connection) throws SQLException {
            connection.close();
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[1];
        String user = args[2];
        String password = args[3];
        int size = Integer.parseInt(args[4]);
        AtomicInteger errors = new AtomicInteger();
        int sessions;
        try (Pool pool = open(args[0], url, user, password, size)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                Thread worker = new Thread(() -> {
                    for (int i = 0; i < 20; i++) {
                        try {
                            Connection c = pool.get();
                            try (Statement s = c.createStatement();
                                 ResultSet rs = s.executeQuery("select pg_sleep(0.002)")) {
                                rs.next();
                            } finally {
                                pool.giveBack(c);
                            }
                        } catch (SQLException e) {
                            errors.incrementAndGet();
                            System.err.println(e);
                        }
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            // Three connections held at once: more than DB_MAX_OPEN_CONNS=2 in the test, which a pool under
            // the library's would not give.
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(pool.get());
                }
                try (Statement s = held.get(0).createStatement(); ResultSet rs = s.executeQuery(
                        "select count(*) from pg_stat_activity where usename = current_user"
                            + " and application_name = current_setting('application_name')")) {
                    rs.next();
                    sessions = rs.getInt(1);
                }
            } finally {
                for (Connection c : held) {
                    pool.giveBack(c);
                }
            }
        }
        System.out.println("RESULT sessions=" + sessions);
        System.out.println("RESULT errors=" + errors.get());
    }

    private static Pool open(String library, String url, String user, String password, int size) throws Exception {
        switch (library) {
            case "dbcp2": {
                BasicDataSource ds = new BasicDataSource();
                ds.setUrl(url);
                ds.setUsername(user);
                ds.setPassword(password);
                ds.setMaxTotal(size);
                return of(ds, ds::close);
            }
            case "tomcat-dbcp": {
                org.apache.tomcat.dbcp.dbcp2.BasicDataSource ds = new org.apache.tomcat.dbcp.dbcp2.BasicDataSource();
                ds.setUrl(url);
                ds.setUsername(user);
                ds.setPassword(password);
                ds.setMaxTotal(size);
                return of(ds, ds::close);
            }
            case "druid": {
                com.alibaba.druid.pool.DruidDataSource ds = new com.alibaba.druid.pool.DruidDataSource();
                ds.setUrl(url);
                ds.setUsername(user);
                ds.setPassword(password);
                ds.setInitialSize(1);
                ds.setMaxActive(size);
                ds.setMaxWait(30_000);
                ds.init();
                return of(ds, ds::close);
            }
            case "mybatis": {
                org.apache.ibatis.datasource.pooled.PooledDataSource ds =
                        new org.apache.ibatis.datasource.pooled.PooledDataSource("org.postgresql.Driver", url, user, password);
                ds.setPoolMaximumActiveConnections(size);
                ds.setPoolMaximumIdleConnections(size);
                return of(ds, ds::forceCloseAll);
            }
            case "c3p0": {
                ComboPooledDataSource ds = new ComboPooledDataSource();
                ds.setJdbcUrl(url);
                ds.setUser(user);
                ds.setPassword(password);
                ds.setMinPoolSize(1);
                ds.setInitialPoolSize(1);
                ds.setMaxPoolSize(size);
                return of(ds, ds::close);
            }
            case "tomcat-jdbc": {
                org.apache.tomcat.jdbc.pool.DataSource ds = new org.apache.tomcat.jdbc.pool.DataSource();
                ds.setDriverClassName("org.postgresql.Driver");
                ds.setUrl(url);
                ds.setUsername(user);
                ds.setPassword(password);
                ds.setInitialSize(1);
                ds.setMinIdle(1);
                ds.setMaxIdle(size);
                ds.setMaxActive(size);
                return of(ds, ds::close);
            }
            case "agroal": {
                AgroalDataSource ds = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                        .connectionPoolConfiguration(pool -> pool.maxSize(size).acquisitionTimeout(Duration.ofSeconds(30))
                                .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                        .principal(new NamePrincipal(user)).credential(new SimplePassword(password)))));
                return of(ds, ds::close);
            }
            case "vibur": {
                ViburDBCPDataSource ds = new ViburDBCPDataSource();
                ds.setJdbcUrl(url);
                ds.setUsername(user);
                ds.setPassword(password);
                ds.setPoolInitialSize(1);
                ds.setPoolMaxSize(size);
                ds.setConnectionTimeoutInMs(30_000);
                ds.start();
                return of(ds, ds::terminate);
            }
            case "hibernate": {
                // Hibernate's built-in pool, with the driver class named: it then calls the driver's connect().
                StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                        .applySetting("hibernate.connection.driver_class", "org.postgresql.Driver")
                        .applySetting("hibernate.connection.url", url)
                        .applySetting("hibernate.connection.username", user)
                        .applySetting("hibernate.connection.password", password)
                        .applySetting("hibernate.connection.pool_size", String.valueOf(size))
                        .build();
                ConnectionProvider provider = registry.getService(ConnectionProvider.class);
                return new Pool() {
                    @Override
                    public Connection get() throws SQLException {
                        return provider.getConnection();
                    }

                    @Override
                    public void giveBack(Connection connection) throws SQLException {
                        provider.closeConnection(connection);
                    }

                    @Override
                    public void close() {
                        StandardServiceRegistryBuilder.destroy(registry);
                    }
                };
            }
            default:
                throw new IllegalArgumentException(library);
        }
    }

    interface Closer {
        void close() throws Exception;
    }

    private static Pool of(DataSource ds, Closer closer) {
        return new Pool() {
            @Override
            public Connection get() throws SQLException {
                return ds.getConnection();
            }

            @Override
            public void close() throws Exception {
                closer.close();
            }
        };
    }
}
