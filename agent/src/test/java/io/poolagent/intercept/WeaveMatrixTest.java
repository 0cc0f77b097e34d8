package io.poolagent.intercept;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.SimpleVerifier;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weave matrix: the real class files of the library versions services ship (target/weave-matrix, copied
 * by the build: every pgjdbc minor from 42.2, the oldest supported and the newest of each pool library), the
 * {@code DriverManager} of every JDK on the machine and the agent's own HikariCP, each woven offline through
 * the agent's transformer, then checked apart from the Byte Buddy that wrote it:
 * <ul>
 *   <li>every target of the class matched exactly one method, and exactly those methods call the hooks;</li>
 *   <li>ASM's {@link CheckClassAdapter} accepts the class's structure (handlers declared before their code);</li>
 *   <li>ASM's data-flow verifier finds no method that it accepted before weaving and refuses after;</li>
 *   <li>the JVM defines and links (verifies) the woven class in an isolated loader whenever it does so for the
 *       original: a library whose dependencies are not at hand fails both ways alike, and pgjdbc, which has
 *       none, must link.</li>
 * </ul>
 */
class WeaveMatrixTest {

    private static final Path MATRIX = Path.of("target", "weave-matrix");
    private static final Path DEPENDENCIES = Path.of("target", "weave-matrix-dependencies");
    private static final Pattern JAR = Pattern.compile("(.+?)-(\\d[^-]*(?:-[^.]+)?(?:\\.Final)?)\\.jar");

    /** The target types each library ships in every version: all must be there. Every target type found is woven. */
    private static final Map<String, List<String>> TYPES = Map.ofEntries(
            Map.entry("postgresql", List.of("org.postgresql.Driver", "org.postgresql.ds.common.BaseDataSource")),
            Map.entry("HikariCP", List.of("com.zaxxer.hikari.pool.PoolBase")),
            Map.entry("HikariCP-java7", List.of("com.zaxxer.hikari.pool.PoolBase")),
            Map.entry("commons-dbcp", List.of("org.apache.commons.dbcp.PoolableConnectionFactory")),
            Map.entry("commons-dbcp2", List.of("org.apache.commons.dbcp2.PoolableConnectionFactory")),
            Map.entry("tomcat-dbcp", List.of("org.apache.tomcat.dbcp.dbcp2.PoolableConnectionFactory")),
            Map.entry("c3p0", List.of("com.mchange.v2.c3p0.WrapperConnectionPoolDataSource")),
            Map.entry("tomcat-jdbc", List.of("org.apache.tomcat.jdbc.pool.PooledConnection")),
            Map.entry("agroal-pool", List.of("io.agroal.pool.ConnectionFactory")),
            Map.entry("vibur-dbcp", List.of("org.vibur.dbcp.pool.ConnectionFactory")),
            Map.entry("druid", List.of("com.alibaba.druid.pool.DruidAbstractDataSource")),
            Map.entry("mybatis", List.of("org.apache.ibatis.datasource.pooled.PooledDataSource")),
            Map.entry("hibernate-core", List.of(
                    "org.hibernate.engine.jdbc.connections.internal.BasicConnectionCreator")));

    /** Versions whose classes the JVM cannot link here, so that only ASM's checks run for them: none today. */
    private static final Set<String> NOT_LINKED = Set.of();

    /** The agent's own HikariCP: the test's class path has it under its own name. */
    private static final List<String> OWN_HIKARI = List.of("com.zaxxer.hikari.pool.ProxyConnection",
            "com.zaxxer.hikari.pool.ProxyStatement", "com.zaxxer.hikari.pool.ProxyResultSet",
            "com.zaxxer.hikari.pool.ProxyDatabaseMetaData");

    private static final Set<String> HOOK_OWNERS = Set.of("io/poolagent/bootstrap/bridge/Bridge",
            "io/poolagent/session/HandleCalls");

    private final Weaver weaver = new Weaver(null, Targets.byType(), () -> { });

    static Stream<Path> libraries() throws IOException {
        assertTrue(Files.isDirectory(MATRIX), MATRIX.toAbsolutePath() + " is missing: the build copies the library "
                + "versions there (mvn generate-test-resources)");
        try (Stream<Path> jars = Files.list(MATRIX)) {
            List<Path> all = jars.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
            assertEquals(TYPES.size(), all.stream().map(WeaveMatrixTest::library).distinct().count(),
                    "every library of the table has its versions in " + MATRIX + ": " + all);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("libraries")
    void everyTargetOfTheLibraryIsWovenOnceAndVerifies(Path jar) throws Exception {
        List<String> types = TYPES.get(library(jar));
        assertNotNull(types, "no target types known for " + jar.getFileName());
        try (URLClassLoader loader = new ChildFirst(jar); JarFile file = new JarFile(jar.toFile())) {
            for (String type : types) {
                assertNotNull(file.getEntry(type.replace('.', '/') + ".class"), type + " is not in " + jar.getFileName());
            }
            for (String type : targetTypesIn(file)) {
                String entry = type.replace('.', '/') + ".class";
                byte[] original;
                try (InputStream in = file.getInputStream(file.getEntry(entry))) {
                    original = in.readAllBytes();
                }
                boolean linked = check(type, original, loader, type);
                assertTrue(linked || NOT_LINKED.contains(jar.getFileName().toString()),
                        "the JVM must link " + type + " of " + jar.getFileName() + ": its dependencies are in " + DEPENDENCIES);
                if (NOT_LINKED.contains(jar.getFileName().toString())) {
                    assertFalse(linked, jar.getFileName() + " links now: take it off NOT_LINKED");
                }
            }
        }
    }

    /**
     * Every type of the table that this jar has (the managed DBCP factories, say, came with later versions), but
     * the agent's own HikariCP's: the shipped agent looks for those under its relocated name only.
     */
    private static List<String> targetTypesIn(JarFile file) {
        List<String> types = new ArrayList<>();
        for (String internal : new TreeSet<>(Targets.byType().keySet())) {
            String type = internal.replace('/', '.');
            if (file.getEntry(internal + ".class") != null && !OWN_HIKARI.contains(type)) {
                types.add(type);
            }
        }
        return types;
    }

    static Stream<Path> jdks() throws IOException {
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            List<Path> found = homes.filter(home -> Files.isRegularFile(home.resolve("lib/modules")))
                    .map(WeaveMatrixTest::real).distinct().sorted().collect(Collectors.toList());
            assertFalse(found.isEmpty(), "no JDK in /usr/lib/jvm");
            return found.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void driverManagerOfEveryJdkIsWovenOnceAndVerifies(Path home) throws Exception {
        byte[] original;
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", home.toString()))) {
            original = Files.readAllBytes(jrt.getPath("/modules/java.sql/java/sql/DriverManager.class"));
        }
        // The JDK's own loaders alone may define java.sql: the JVM links a renamed copy, when it knows the class
        // file's version (a newer JDK's is checked by ASM here, and runs woven in that JDK's it tests).
        boolean linked = check(Targets.DRIVER_MANAGER, original, WeaveMatrixTest.class.getClassLoader(),
                "io.poolagent.matrix.DriverManager");
        int major = ((original[6] & 0xff) << 8) | (original[7] & 0xff);
        assertEquals(major <= 44 + Runtime.version().feature(), linked, "linked by this JVM: class file version " + major);
    }

    @Test
    void theAgentsOwnHikariIsWovenOnceAndVerifies() throws Exception {
        ClassLoader loader = WeaveMatrixTest.class.getClassLoader();
        for (String type : OWN_HIKARI) {
            try (InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
                assertTrue(check(type, in.readAllBytes(), loader, type), type + " links");
            }
        }
    }

    /**
     * Weaves one class and checks it every way this test knows.
     *
     * @param linkedAs the name under which the JVM links it (another than its own for the JDK's classes)
     * @return whether the JVM linked the original, and so the woven class too
     */
    private boolean check(String type, byte[] original, ClassLoader loader, String linkedAs) throws Exception {
        String internal = type.replace('.', '/');
        byte[] woven = weaver.transform(null, loader, internal, null, null, original);
        assertNotNull(woven, type + " not woven: " + ClassWeaver.weave(internal, original, loader,
                Targets.byType().get(internal)).unmatched);
        assertHooksInExactlyTheTargets(type, original, woven);
        new ClassReader(woven).accept(new CheckClassAdapter(new ClassNode(), false), 0);
        Set<String> refusedBefore = refusedByDataFlow(original, loader);
        Set<String> refusedAfter = refusedByDataFlow(woven, loader);
        refusedAfter.removeAll(refusedBefore);
        assertEquals(Set.of(), refusedAfter, type + ": methods that ASM's verifier refuses only once woven");
        String failure = linkFailure(rename(original, internal, linkedAs), linkedAs, loader);
        boolean linked = failure == null;
        System.out.println("weave matrix: " + type + (linked ? ": woven, linked by the JVM" : ": woven; the JVM links"
                + " neither it nor the original here: " + failure));
        if (linked) {
            assertEquals(null, linkFailure(rename(woven, internal, linkedAs), linkedAs, loader),
                    type + ": the original links, the woven class must too");
        }
        return linked;
    }

    private static void assertHooksInExactlyTheTargets(String type, byte[] original, byte[] woven) {
        List<Targets.Target> targets = Targets.byType().get(type.replace('.', '/'));
        Set<String> expected = new TreeSet<>();
        for (Targets.Target target : targets) {
            List<String> found = methods(original).stream().map(m -> m.name + m.desc)
                    .filter(m -> target.matches(m.substring(0, m.indexOf('(')), m.substring(m.indexOf('('))))
                    .collect(Collectors.toList());
            assertTrue(found.size() == 1 || target.optional && found.isEmpty(),
                    target + " matches exactly once in " + type + ": " + found);
            expected.addAll(found);
        }
        Set<String> hooked = new TreeSet<>();
        for (MethodNode method : methods(woven)) {
            for (AbstractInsnNode insn : method.instructions) {
                if (insn instanceof MethodInsnNode && HOOK_OWNERS.contains(((MethodInsnNode) insn).owner)) {
                    hooked.add(method.name + method.desc);
                }
            }
        }
        assertEquals(expected, hooked, type + ": the methods that call the agent");
    }

    /** The methods ASM's data-flow verifier refuses, with the class loader for the types it compares. */
    private static Set<String> refusedByDataFlow(byte[] bytes, ClassLoader loader) {
        ClassNode node = node(bytes);
        Type superType = node.superName == null ? null : Type.getObjectType(node.superName);
        List<Type> interfaces = node.interfaces.stream().map(Type::getObjectType).collect(Collectors.toList());
        Set<String> refused = new TreeSet<>();
        for (MethodNode method : node.methods) {
            SimpleVerifier verifier = new SimpleVerifier(Opcodes.ASM9, Type.getObjectType(node.name), superType,
                    interfaces, (node.access & Opcodes.ACC_INTERFACE) != 0) {
            };
            verifier.setClassLoader(loader);
            try {
                new Analyzer<BasicValue>(verifier).analyze(node.name, method);
            } catch (AnalyzerException | RuntimeException | LinkageError e) { // LinkageError: a type not at hand
                refused.add(method.name + method.desc);
            }
        }
        return refused;
    }

    /**
     * A library's version with the dependencies on hand, ahead of the test's class path (which has HikariCP
     * 7.1): each jar's classes come from that jar. Given a class's bytes, it defines that class from them.
     */
    private static final class ChildFirst extends URLClassLoader {
        private final String replaced;
        private final byte[] bytes;

        ChildFirst(Path jar) throws IOException {
            this(urls(jar), null, null);
        }

        private ChildFirst(URL[] urls, String replaced, byte[] bytes) {
            super(urls, WeaveMatrixTest.class.getClassLoader());
            this.replaced = replaced;
            this.bytes = bytes;
        }

        /** A fresh loader over the same jars, in which {@code name} is defined from {@code classBytes}. */
        ChildFirst with(String name, byte[] classBytes) {
            return new ChildFirst(getURLs(), name, classBytes);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> done = findLoadedClass(name);
                if (done != null) {
                    return done;
                }
                if (name.equals(replaced)) {
                    return defineClass(name, bytes, 0, bytes.length);
                }
                try {
                    return findClass(name);
                } catch (ClassNotFoundException notInTheseJars) {
                    return super.loadClass(name, resolve);
                }
            }
        }

        private static URL[] urls(Path jar) throws IOException {
            List<URL> urls = new ArrayList<>();
            urls.add(jar.toUri().toURL());
            if (Files.isDirectory(DEPENDENCIES)) {
                try (Stream<Path> dependencies = Files.list(DEPENDENCIES)) {
                    for (Path dependency : (Iterable<Path>) dependencies.sorted()::iterator) {
                        urls.add(dependency.toUri().toURL());
                    }
                }
            }
            return urls.toArray(new URL[0]);
        }
    }

    /**
     * Defines the class in a loader of its own (its package-mates from the same jars, or from {@code parent})
     * and links it: null when it did, else why not.
     */
    private static String linkFailure(byte[] bytes, String name, ClassLoader parent) {
        ClassLoader isolated = parent instanceof ChildFirst ? ((ChildFirst) parent).with(name, bytes)
                : new ChildFirst(new URL[0], name, bytes);
        try {
            Class.forName(name, true, isolated); // linking verifies; initializing is how a test can ask for it
            return null;
        } catch (ExceptionInInitializerError e) {
            return null; // linked and verified: only its static initializer failed, outside the matrix's concern
        } catch (LinkageError e) { // VerifyError, or a dependency the matrix lacks; or thrown by the initializer
            return ranInitializer(e) ? null : e.toString();
        } catch (ClassNotFoundException e) {
            return e.toString();
        }
    }

    /** An error thrown while the class's static initializer ran: the class was linked by then. */
    private static boolean ranInitializer(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getMethodName().equals("<clinit>")) {
                return true;
            }
        }
        return false;
    }

    private static byte[] rename(byte[] bytes, String internal, String linkedAs) {
        String to = linkedAs.replace('.', '/');
        if (to.equals(internal)) {
            return bytes;
        }
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassRemapper(writer, new SimpleRemapper(internal, to)), 0);
        return writer.toByteArray();
    }

    private static List<MethodNode> methods(byte[] bytes) {
        return node(bytes).methods;
    }

    private static ClassNode node(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, 0);
        return node;
    }

    private static String library(Path jar) {
        Matcher m = JAR.matcher(jar.getFileName().toString());
        assertTrue(m.matches(), "a jar named artifact-version.jar: " + jar);
        return m.group(1);
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
