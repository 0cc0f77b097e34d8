package io.poolagent.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Sets up the two class loaders the agent lives in, then starts it.
 *
 * <p>Why two: hooks woven into {@code java.sql.DriverManager} run in the platform class loader (since
 * JDK 9 {@code java.sql} is not on the bootstrap loader) and can only call classes that loader can see.
 * So the bridge classes ({@code io.poolagent.bootstrap.bridge}, speaking nothing but {@code java.base} types) are
 * defined in the bootstrap loader, one by one (see {@code io.poolagent.install.BootClasses}); only if that is
 * refused is the whole jar appended to the bootstrap search path, which also turns class-data sharing off
 * for application classes (the JVM says so on stderr). The agent proper and its relocated libraries sit
 * under {@code inst/} and load in an isolated class loader whose parent is the platform loader: they see
 * {@code java.sql} and the bridge, and the application never sees them.
 */
public final class AgentLauncher {

    static final String INSTALLER = "io.poolagent.install.Installer";
    static final String BOOT_CLASSES = "io.poolagent.install.BootClasses";
    /**
     * Every class of {@code io.poolagent.bootstrap.bridge}; the two that launch ({@code io.poolagent.bootstrap})
     * run in the system class loader. Listed, not found by walking the jar's entries, which costs start-up time; AgentJarContentsTest
     * checks the list against the jar.
     */
    static final List<String> BRIDGE_CLASSES = List.of("io.poolagent.bootstrap.bridge.ConnectionInterceptor",
            "io.poolagent.bootstrap.bridge.Bridge", "io.poolagent.bootstrap.bridge.Bridge$Calls",
            "io.poolagent.bootstrap.bridge.Bridge$CallsPerThread");

    private AgentLauncher() {
    }

    public static void launch(String args, Instrumentation instrumentation) throws Exception {
        long started = System.nanoTime();
        File jar = agentJar();
        // A plain ZipFile: the agent's jar is neither signed nor multi-release, and JarFile would look for both.
        ZipFile file = new ZipFile(jar); // open as long as the agent's classes may load: the JVM's life
        ClassLoader agentLoader = new InstLoader(file, jar.toURI().toURL());
        Runnable bridge = new BridgeDefinition(jar, file, agentLoader, instrumentation);
        Class.forName(INSTALLER, true, agentLoader)
                .getMethod("install", String.class, Instrumentation.class, long.class, Runnable.class)
                .invoke(null, args, instrumentation, started, bridge);
    }

    /**
     * A class loader for the jar's commands ({@code java -jar pool-agent.jar plan}, see {@code AgentMain.main}):
     * they live under {@code inst/} with the agent and load the same way. Nothing is installed.
     */
    public static ClassLoader commandLoader() throws Exception {
        File jar = agentJar();
        return new InstLoader(new ZipFile(jar), jar.toURI().toURL());
    }

    /**
     * Puts the bridge classes into the bootstrap loader. The agent runs it when the first class it weaves
     * loads, not at start-up: a JVM that never touches JDBC has none of its modules or loaders changed.
     */
    static final class BridgeDefinition implements Runnable {
        private final File jar;
        private final ZipFile file;
        private final ClassLoader agentLoader;
        private final Instrumentation instrumentation;

        BridgeDefinition(File jar, ZipFile file, ClassLoader agentLoader, Instrumentation instrumentation) {
            this.jar = jar;
            this.file = file;
            this.agentLoader = agentLoader;
            this.instrumentation = instrumentation;
        }

        @Override
        public void run() {
            if (!definedInBootLoader(file, agentLoader, instrumentation)) {
                try {
                    instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The bridge classes defined in the bootstrap loader; false if the JVM refused (the appended jar serves the rest). */
    private static boolean definedInBootLoader(ZipFile file, ClassLoader agentLoader, Instrumentation instrumentation) {
        try {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (String name : BRIDGE_CLASSES) {
                try (InputStream in = file.getInputStream(file.getEntry(name.replace('.', '/') + ".class"))) {
                    classes.put(name, in.readAllBytes());
                }
            }
            return (Boolean) Class.forName(BOOT_CLASSES, true, agentLoader)
                    .getMethod("define", Instrumentation.class, Map.class)
                    .invoke(null, instrumentation, classes);
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /**
     * The agent's own class loader: classes and resources under {@code inst/} in the agent's jar, after the
     * platform loader's. A few lines instead of a URLClassLoader, whose URL handlers, jar connections and
     * file-permission checks cost every JVM in the pod several milliseconds at start-up.
     */
    static final class InstLoader extends ClassLoader {

        static {
            registerAsParallelCapable();
        }

        private static final String ROOT = "inst/";
        private final ZipFile jar;
        private final String base;
        private final ProtectionDomain domain;

        InstLoader(ZipFile jar, URL location) {
            super("pool-agent", ClassLoader.getPlatformClassLoader());
            this.jar = jar;
            this.base = "jar:" + location + "!/";
            this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            ZipEntry entry = jar.getEntry(ROOT + name.replace('.', '/') + ".class");
            if (entry == null) {
                throw new ClassNotFoundException(name);
            }
            try (InputStream in = jar.getInputStream(entry)) {
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length, domain);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }

        @Override
        protected URL findResource(String name) {
            if (jar.getEntry(ROOT + name) == null) {
                return null;
            }
            try {
                return new URL(base + ROOT + name);
            } catch (MalformedURLException e) {
                return null;
            }
        }

        /**
         * Straight from the jar, for Byte Buddy's reading of the agent's advice classes: through a URL that
         * would set up the JDK's jar-URL handlers, milliseconds at the first weave.
         */
        @Override
        public InputStream getResourceAsStream(String name) {
            ZipEntry entry = name.endsWith(".class") ? jar.getEntry(ROOT + name) : null;
            if (entry == null) {
                return super.getResourceAsStream(name);
            }
            try {
                return jar.getInputStream(entry);
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        protected Enumeration<URL> findResources(String name) {
            URL url = findResource(name);
            return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
        }
    }

    private static File agentJar() throws Exception {
        URL location = AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation();
        File jar = new File(location.toURI());
        if (!jar.isFile()) {
            throw new IllegalStateException("pool-agent must run from its jar, not from " + jar);
        }
        return jar;
    }
}
