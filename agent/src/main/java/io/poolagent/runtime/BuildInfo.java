package io.poolagent.runtime;

import java.io.File;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Which pool-agent runs: the {@code Implementation-Version} of the jar the agent's classes come from (the
 * build writes it into the manifest). Read once, when first asked (a pool's start-up line, the metrics, the
 * {@code --version} command), never in premain.
 */
public final class BuildInfo {

    private static volatile String version;

    private BuildInfo() {
    }

    public static String version() {
        String known = version;
        if (known == null) {
            known = fromManifest();
            version = known;
        }
        return known;
    }

    private static String fromManifest() {
        try {
            File jar = new File(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.isFile()) {
                try (JarFile file = new JarFile(jar, false)) {
                    Manifest manifest = file.getManifest();
                    String value = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
                    if (value != null) {
                        return value;
                    }
                }
            }
        } catch (Exception | LinkageError e) {
            // not run from the built jar (the unit tests): say so rather than guess
        }
        return "unknown";
    }
}
