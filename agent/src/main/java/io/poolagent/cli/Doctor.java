package io.poolagent.cli;

import io.poolagent.config.JdbcUrls;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code doctor}: connects to a server with the bundled driver and prints who holds its connections
 * ({@link ServerReport}). The password comes from {@code PGPASSWORD} or a prompt, never from an argument:
 * arguments show up in shell histories, process listings and {@code kubectl exec} audit logs.
 */
final class Doctor {

    private static final String URL = "--url";
    private static final String USER = "--user";
    private static final String URL_FORM = "jdbc:postgresql://HOST:PORT/DATABASE";
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put(URL, "a URL like " + URL_FORM);
        OPTIONS.put(USER, "a role name");
    }

    static final String NO_PASSWORD_ARGUMENT = "a password is never taken from the command line (shell history,"
            + " process listings): set PGPASSWORD instead, or leave it unset to be prompted";
    /** pgjdbc's SQLSTATE when the server asks for a password and none was given. */
    private static final String PASSWORD_REQUESTED = "08004";

    private Doctor() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Target target;
        try {
            target = Target.parse(args, System.getenv(), System.getProperty("user.name", ""));
        } catch (UsageException e) {
            err.println("doctor: " + e.getMessage());
            return 2;
        }
        Properties properties = target.properties();
        try (Connection connection = connect(BundledDriver.load(), target, properties)) {
            new ServerReport(connection).print(out, target.describe());
            return 0;
        } catch (SQLException e) {
            err.println("doctor: " + failure(e, target, properties));
            return 1;
        } catch (IOException | ReflectiveOperationException | ClassCastException e) {
            err.println("doctor: cannot load the PostgreSQL driver bundled in the agent's jar: " + e);
            return 1;
        }
    }

    /** Without a password first, as psql does: trust and .pgpass need none, and only a person can be asked. */
    private static Connection connect(Driver driver, Target target, Properties properties) throws SQLException {
        try {
            return open(driver, target, properties);
        } catch (SQLException e) {
            char[] typed = properties.containsKey("password") || !PASSWORD_REQUESTED.equals(e.getSQLState())
                    ? null : prompt(target.user);
            if (typed == null) {
                throw e;
            }
            properties.setProperty("password", new String(typed));
            return open(driver, target, properties);
        }
    }

    /**
     * The password goes only to a server whose certificate checks out: unless the URL says how to use TLS, the
     * doctor asks for {@code verify-full}. It never falls back to the clear by itself: anyone on the path can
     * answer "no TLS here". To talk to a server without TLS, the operator says so ({@code sslmode=disable}).
     */
    private static Connection open(Driver driver, Target target, Properties properties) throws SQLException {
        if (JdbcUrls.parameter(target.url, "ssl") != null || JdbcUrls.parameter(target.url, "sslmode") != null
                || properties.containsKey("sslmode")) {
            return openAs(driver, target, properties); // the operator said how to use TLS
        }
        Properties verified = new Properties();
        verified.putAll(properties);
        verified.setProperty("sslmode", "verify-full");
        return openAs(driver, target, verified);
    }

    private static Connection openAs(Driver driver, Target target, Properties properties) throws SQLException {
        Connection connection = driver.connect(target.url, properties);
        if (connection == null) {
            throw new SQLException("the driver does not take the URL " + target.url, "08001");
        }
        return connection;
    }

    /** A password typed on the console; null when there is no terminal to ask on. */
    private static char[] prompt(String user) {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return null;
        }
        return console.readPassword("Password for %s: ", user);
    }

    /** From JDK 22 there is a Console also when nobody is at a terminal; reading from it would hang or read a pipe. */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22 a Console exists only on a terminal
        }
    }

    /** One line with the SQLSTATE; never the password, even if a message were to echo it. */
    static String failure(SQLException e, Target target, Properties properties) {
        String password = properties.getProperty("password", "");
        String message = String.valueOf(e.getMessage());
        if (!password.isEmpty() && message.contains(password)) {
            message = "(message withheld: it contains the password)";
        }
        String hint = PASSWORD_REQUESTED.equals(e.getSQLState()) && password.isEmpty()
                ? "; set PGPASSWORD, or run this on a terminal to be prompted"
                : message.contains("does not support SSL")
                ? "; the doctor sends a password only over verified TLS: add sslmode=disable to --url to talk to a"
                        + " server without TLS in the clear"
                : message.contains("SSL") || message.contains("certificate")
                ? "; the doctor verifies the server's certificate before sending a password: add sslrootcert=FILE to"
                        + " --url, or sslmode=require to talk to it unverified" : "";
        return target.describe() + ": " + message.replace('\n', ' ') + " (SQLSTATE " + e.getSQLState() + ")" + hint;
    }

    /** Where to connect and as whom: the arguments and the environment, checked before anything connects. */
    static final class Target {
        final String url;
        final String user;
        /** From PGPASSWORD; null when unset. */
        final String password;

        private Target(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
        }

        /** The user: --user, else the URL's user parameter, else PGUSER, else the OS user (as psql has it). */
        static Target parse(List<String> args, Map<String, String> env, String osUser) throws UsageException {
            for (String arg : args) {
                if (arg.equals("--password") || arg.startsWith("--password=")) {
                    throw new UsageException("--password is refused: " + NO_PASSWORD_ARGUMENT);
                }
            }
            Arguments arguments = Arguments.parse(args, OPTIONS);
            if (!arguments.operands().isEmpty()) { // not echoed: it may be a URL with a password in it
                throw new UsageException("unexpected argument (not shown): expected " + URL + " " + URL_FORM + " ["
                        + USER + " NAME]");
            }
            String url = url(arguments.option(URL));
            String user = firstOf(arguments.option(USER), JdbcUrls.decodedParameter(url, "user"), env.get("PGUSER"), osUser);
            String password = env.get("PGPASSWORD");
            return new Target(JdbcUrls.withoutParameter(url, "user"), user, password == null || password.isEmpty() ? null : password);
        }

        private static String url(String url) throws UsageException {
            if (url == null) {
                throw new UsageException(URL + " is missing: expected " + URL + " " + URL_FORM);
            }
            if (!url.startsWith("jdbc:postgresql:")) { // not echoed: postgres://user:secret@host is the usual slip
                throw new UsageException(URL + " is not valid (not shown: it may hold a password): expected a URL"
                        + " like " + URL_FORM);
            }
            if (JdbcUrls.hasPasswordParameter(url)) {
                throw new UsageException(URL + " carries a password, which is refused: " + NO_PASSWORD_ARGUMENT);
            }
            if (JdbcUrls.authority(url).contains("@") || !JdbcUrls.mask(url).equals(url)) {
                // pgjdbc takes no user:password@ part; it would end up in a host name, and in error messages
                throw new UsageException(URL + " is refused: expected " + URL_FORM + " without user or password in it"
                        + " (" + USER + " NAME; the password in PGPASSWORD)");
            }
            return url;
        }

        Properties properties() {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            if (password != null) {
                properties.setProperty("password", password);
            }
            properties.setProperty("ApplicationName", "pool-agent doctor");
            properties.setProperty("connectTimeout", "10");
            properties.setProperty("socketTimeout", "60");
            return properties;
        }

        /** The URL with any other secret parameter masked (a token, a key's password), and the user. */
        String describe() {
            return JdbcUrls.mask(url) + " as " + user;
        }
    }

    private static String firstOf(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return "";
    }
}
