package io.poolagent.cli;

import io.poolagent.pgjdbc.PgjdbcNames;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Driver;

/**
 * The PostgreSQL driver the doctor connects with. It travels inside the agent's jar as one nested jar
 * ({@code inst/lib/postgresql.jar}) rather than as its ~500 classes: every entry of a jar's central
 * directory is read by every JVM that attaches the agent, and only the doctor needs a driver. Pools never
 * use it; they connect through the application's own driver.
 *
 * <p>Copied to a temporary file (a class loader reads jars from files, not from inside other jars) and
 * loaded in its own loader over the platform loader, out of sight of everything else. Used through its
 * {@link Driver} instance directly: DriverManager would hand out whichever registered driver it likes.
 */
final class BundledDriver {

    /** Relative to {@code inst/}, where the agent's class loader looks. */
    static final String NESTED_JAR = "lib/postgresql.jar";

    private BundledDriver() {
    }

    static Driver load() throws IOException, ReflectiveOperationException {
        Path jar = Files.createTempFile("pool-agent-postgresql-", ".jar");
        jar.toFile().deleteOnExit();
        try (InputStream in = BundledDriver.class.getClassLoader().getResourceAsStream(NESTED_JAR)) {
            if (in == null) {
                throw new FileNotFoundException(NESTED_JAR + " is not in the agent's jar");
            }
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        return (Driver) Class.forName(PgjdbcNames.DRIVER, true, loader).getDeclaredConstructor().newInstance();
    }
}
