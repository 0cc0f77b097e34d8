package io.poolagent.it;

import io.poolagent.it.apps.ChangedLibrary;
import io.poolagent.it.apps.OneQuery;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent does with what it does not expect: a library version whose target method changed loads
 * unchanged, with one warning that names it; the agent attached twice weaves once.
 */
@Tag("slow")
class WeaveSafetyTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    private static final String CHANGED = "org.apache.commons.dbcp2.PoolableConnectionFactory";

    @Test
    void aLibraryVersionWithAChangedMethodLoadsUnwovenWithOneWarningNamingIt(@TempDir Path dir) throws Exception {
        Path jar = changedLibrary(dir);
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .classpath(jar + File.pathSeparator + System.getProperty("java.class.path"))
                .run(ChangedLibrary.class, CHANGED, PG.url(), "app", "app-secret");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("made by 9.9.9-test", r.value("made"), "the class loads and runs as it is\n" + r);
        assertEquals(1, r.agentLinesContaining("WARN " + CHANGED + " (version 9.9.9-test from dbcp2-changed.jar) has"
                + " no method makeObject[()Lorg/apache/commons/pool2/PooledObject;]"), r.toString());
        assertTrue(r.value("held2").startsWith("io.poolagent"), "the rest is pooled as before\n" + r);
        assertTrue(!r.stderr.contains("VerifyError") && !r.stdout.contains("VerifyError"), r.toString());
    }

    @Test
    void theAgentAttachedTwiceWeavesOnce() {
        String jar = ChildJvm.agentJar().toAbsolutePath().toString();
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().jvmArg("-javaagent:" + jar)
                .env("DB_POOL_LOG_LEVEL", "debug")
                .run(OneQuery.class, PG.url(), "app", "app-secret");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("1", r.value("answer"), r.toString());
        assertEquals(1, r.agentLinesContaining("attached more than once"), r.toString());
        assertEquals(1, r.agentLinesContaining("instrumented java.sql.DriverManager"), r.toString());
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen"), r.toString());
    }

    /** A jar with a dbcp2 PoolableConnectionFactory whose makeObject() returns Object, as no release does. */
    private static Path changedLibrary(Path dir) throws IOException {
        Path source = dir.resolve("src/org/apache/commons/dbcp2/PoolableConnectionFactory.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package org.apache.commons.dbcp2;\n"
                + "public class PoolableConnectionFactory {\n"
                + "    public Object makeObject() { return \"made by 9.9.9-test\"; }\n"
                + "}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "--release", "11", "-d", classes.toString(), source.toString()));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.9.9-test");
        Path jar = dir.resolve("dbcp2-changed.jar");
        String entry = "org/apache/commons/dbcp2/PoolableConnectionFactory.class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.putNextEntry(new JarEntry(entry));
            jarOut.write(Files.readAllBytes(classes.resolve(entry)));
            jarOut.closeEntry();
        }
        return jar;
    }
}
