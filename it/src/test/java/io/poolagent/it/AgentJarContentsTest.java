package io.poolagent.it;

import io.poolagent.it.support.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins what the shipped jar contains. Anything outside the agent's own package would be loadable by the
 * application (or, at a normal path, by the bootstrap loader) and could clash with the application's own
 * copy of a library.
 */
@Tag("slow")
class AgentJarContentsTest {

    /**
     * At normal paths: the manifest, licences, the bootstrap bridge (which every loader may see), and no class
     * besides: for scanners, the bundled libraries' pom.properties and the SBOM.
     */
    private static final Pattern VISIBLE = Pattern.compile(
            "META-INF/|META-INF/MANIFEST\\.MF|META-INF/(LICENSE|NOTICE)|META-INF/licenses/(.*/)?([^/.]+|[^/]+\\.txt)?"
                    + "|META-INF/maven/([\\w.-]+/){0,2}|META-INF/maven/[\\w.-]+/[\\w.-]+/pom\\.properties"
                    + "|META-INF/sbom/|META-INF/sbom/pool-agent\\.cdx\\.json"
                    + "|io/|io/poolagent/|io/poolagent/bootstrap/|io/poolagent/bootstrap/[A-Za-z$]+\\.class|io/poolagent/bootstrap/bridge/|io/poolagent/bootstrap/bridge/[A-Za-z$]+\\.class");
    /**
     * Under inst/: the agent proper and its relocated libraries, seen only by the agent's class loader, and
     * the doctor command's PostgreSQL driver as one nested jar.
     */
    private static final Pattern HIDDEN = Pattern.compile(
            "inst/|inst/META-INF/|inst/META-INF/services/(io\\.poolagent\\.[\\w.]+)?|inst/io/|inst/io/poolagent/.*"
                    + "|inst/lib/|inst/lib/postgresql\\.jar");
    private static final String DOCTOR_DRIVER = "inst/lib/postgresql.jar";

    @Test
    void containsOnlyTheAgentsOwnPackageTheManifestAndLicences() throws IOException {
        List<String> stray = new ArrayList<>();
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            jar.stream().map(JarEntry::getName)
                    .filter(name -> !VISIBLE.matcher(name).matches() && !HIDDEN.matcher(name).matches())
                    .forEach(stray::add);
        }
        assertEquals(List.of(), stray);
    }

    @Test
    void bundlesRelocatedByteBuddyHikariAndSlf4jButNoDriver() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            for (String entry : List.of("inst/io/poolagent/shaded/bytebuddy/asm/Advice.class",
                    "inst/io/poolagent/shaded/bytebuddy/jar/asm/ClassReader.class",
                    "inst/io/poolagent/shaded/hikari/HikariDataSource.class",
                    "inst/io/poolagent/shaded/slf4j/LoggerFactory.class",
                    "inst/io/poolagent/install/Installer.class",
                    "io/poolagent/bootstrap/bridge/Bridge.class")) {
                assertTrue(jar.getEntry(entry) != null, "missing " + entry);
            }
            // Pools connect through the application's own driver, whose classes the application links against:
            // no driver class anywhere, only the doctor command's nested jar (and, at the root, its licence files
            // and pom.properties, which VISIBLE keeps free of classes).
            assertEquals(List.of(DOCTOR_DRIVER), jar.stream().map(JarEntry::getName)
                    .filter(name -> name.contains("postgresql"))
                    .filter(name -> !name.startsWith("META-INF/licenses/postgresql/")
                            && !name.startsWith("META-INF/maven/org.postgresql/"))
                    .collect(Collectors.toList()));
        }
    }

    /**
     * The doctor's driver is one entry, stored (its classes are compressed already), not ~500 unpacked
     * classes: every JVM attaching the agent reads the jar's whole central directory.
     */
    @Test
    void theDoctorsDriverIsOneStoredNestedJar() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            JarEntry nested = jar.getJarEntry(DOCTOR_DRIVER);
            assertTrue(nested != null, "missing " + DOCTOR_DRIVER);
            assertEquals(ZipEntry.STORED, nested.getMethod());
            assertEquals(1, jar.stream().filter(e -> e.getName().startsWith("inst/lib/") && !e.isDirectory()).count());
            try (JarInputStream driver = new JarInputStream(jar.getInputStream(nested))) {
                boolean found = false;
                for (JarEntry e = driver.getNextJarEntry(); e != null && !found; e = driver.getNextJarEntry()) {
                    found = e.getName().equals("org/postgresql/Driver.class");
                }
                assertTrue(found, "no org/postgresql/Driver.class in " + DOCTOR_DRIVER);
            }
        }
    }

    /** Shading rewrites string constants too; the names the agent matches must still be the application's. */
    @Test
    void matchedClassNamesSurviveRelocation() throws Exception {
        URL inst = new URL("jar:" + ChildJvm.agentJar().toUri() + "!/inst/");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {inst}, null)) {
            Class<?> hikari = Class.forName("io.poolagent.hikari.HikariNames", true, loader);
            assertEquals("com.zaxxer.hikari.pool.PoolBase", hikari.getField("APP_POOL_BASE").get(null));
            // a literal: relocated with the bundled HikariCP, so it names the agent's own
            assertEquals("io.poolagent.shaded.hikari.pool.", hikari.getField("AGENT_POOL_PACKAGE").get(null));
            Class<?> pgjdbc = Class.forName("io.poolagent.pgjdbc.PgjdbcNames", true, loader);
            assertEquals("org.postgresql.Driver", pgjdbc.getField("DRIVER").get(null));
            assertEquals("org.postgresql.ds.PGSimpleDataSource", pgjdbc.getField("SIMPLE_DATA_SOURCE").get(null));
            assertEquals("org.postgresql.ds.common.BaseDataSource", pgjdbc.getField("BASE_DATA_SOURCE").get(null));
        }
    }

    /**
     * The return path hangs off HikariCP's JDBC request boundaries, which the bundled HikariCP turns on from
     * a system property. Pins that the agent sets the very property the bundled (relocated) HikariCP reads,
     * and that it is not the application's HikariCP property.
     */
    @Test
    void theAgentTurnsOnTheRequestBoundariesOfItsOwnHikari() throws Exception {
        assertSetsPropertyOfItsOwnHikari("REQUEST_BOUNDARIES", "io.poolagent.shaded.hikari.enableRequestBoundaries");
    }

    /** Same for the housekeeper's period, which decides how soon after DB_CONN_MAX_IDLE_TIME idle connections go. */
    @Test
    void theAgentSetsTheHousekeepingPeriodOfItsOwnHikari() throws Exception {
        assertSetsPropertyOfItsOwnHikari("HOUSEKEEPING_PERIOD", "io.poolagent.shaded.hikari.housekeeping.periodMs");
    }

    private static void assertSetsPropertyOfItsOwnHikari(String constant, String relocated) throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            byte[] pool = jar.getInputStream(jar.getEntry("inst/io/poolagent/shaded/hikari/pool/HikariPool.class")).readAllBytes();
            assertTrue(new String(pool, java.nio.charset.StandardCharsets.ISO_8859_1).contains(relocated),
                    "the bundled HikariPool no longer reads " + relocated);
        }
        URL inst = new URL("jar:" + ChildJvm.agentJar().toUri() + "!/inst/");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {inst}, null)) {
            java.lang.reflect.Field field = Class.forName("io.poolagent.hikari.HikariSettings", false, loader)
                    .getDeclaredField(constant);
            field.setAccessible(true);
            assertEquals(relocated, field.get(null));
        }
    }

    /** The launcher lists the bridge classes it defines in the boot loader; the list must be the jar's. */
    @Test
    void theLauncherDefinesEveryBridgeClassInTheJar() throws Exception {
        List<String> inJar = new ArrayList<>();
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            jar.stream().map(JarEntry::getName)
                    .filter(name -> name.startsWith("io/poolagent/bootstrap/") && name.endsWith(".class"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .filter(name -> !name.equals("io.poolagent.bootstrap.AgentMain")
                            && !name.startsWith("io.poolagent.bootstrap.AgentLauncher"))
                    .forEach(inJar::add);
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {ChildJvm.agentJar().toUri().toURL()}, null)) {
            java.lang.reflect.Field listed = Class.forName("io.poolagent.bootstrap.AgentLauncher", false, loader)
                    .getDeclaredField("BRIDGE_CLASSES");
            listed.setAccessible(true);
            assertEquals(new TreeSet<>(inJar), new TreeSet<>((List<?>) listed.get(null)));
        }
    }

    @Test
    void manifestDeclaresTheAgent() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.poolagent.bootstrap.AgentMain", main.getValue("Premain-Class"));
            assertEquals("io.poolagent.bootstrap.AgentMain", main.getValue("Agent-Class"));
            assertEquals("io.poolagent.bootstrap.AgentMain", main.getValue("Main-Class")); // java -jar pool-agent.jar plan
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    /** A Java 8 JVM must be able to load the entry class, or -javaagent would abort that JVM. */
    @Test
    void entryClassIsJava8BytecodeAndTheRestJava11() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            assertEquals(52, majorVersion(jar, "io/poolagent/bootstrap/AgentMain.class"));
            assertEquals(55, majorVersion(jar, "io/poolagent/bootstrap/bridge/Bridge.class"));
            assertEquals(55, majorVersion(jar, "inst/io/poolagent/install/Installer.class"));
        }
    }

    private static int majorVersion(JarFile jar, String entry) throws IOException {
        try (InputStream in = jar.getInputStream(jar.getEntry(entry)); DataInputStream data = new DataInputStream(in)) {
            data.readInt();
            data.readUnsignedShort();
            return data.readUnsignedShort();
        }
    }
}
