package io.poolagent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.jar.JarFile;

/**
 * Sets up the two class loaders the agent lives in, then starts it.
 *
 * <p>Why two: advice woven into {@code java.sql.DriverManager} runs in the platform class loader (since
 * JDK 9 {@code java.sql} is not on the bootstrap loader) and can only call classes that loader can see.
 * So the agent appends its own jar to the bootstrap search path (no temp file: pods often have a
 * read-only root filesystem). Only {@code io.poolagent.bootstrap} sits at a normal path in the jar, so
 * only these few classes become bootstrap classes; they speak nothing but {@code java.base} types.
 * The agent proper and its relocated libraries sit under {@code inst/} and load in an isolated class
 * loader whose parent is the platform loader: they see {@code java.sql} and the bridge, and the
 * application never sees them.
 */
public final class AgentLauncher {

    static final String INSTALLER = "io.poolagent.Installer";

    private AgentLauncher() {
    }

    public static void launch(String args, Instrumentation instrumentation) throws Exception {
        File jar = agentJar();
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
        URL hidden = new URL("jar:" + jar.toURI().toURL() + "!/inst/");
        ClassLoader agentLoader = new URLClassLoader(new URL[] {hidden}, ClassLoader.getPlatformClassLoader());
        Class.forName(INSTALLER, true, agentLoader)
                .getMethod("install", String.class, Instrumentation.class)
                .invoke(null, args, instrumentation);
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
