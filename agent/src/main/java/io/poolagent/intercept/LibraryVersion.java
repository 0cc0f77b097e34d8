package io.poolagent.intercept;

import io.poolagent.log.AgentLog;

import java.io.File;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Says, once per class and version, that a target class had no method the agent knows how to weave: which
 * class, which method, which version of the library (from its jar's manifest) or of the JDK, and what the
 * application goes without. Only read when that happens, which a supported version never makes happen.
 */
final class LibraryVersion {

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private LibraryVersion() {
    }

    static void warnUnmatched(String internalName, ClassLoader loader, ProtectionDomain domain,
                              List<Targets.Target> unmatched) {
        String type = internalName.replace('/', '.');
        String version = of(loader, domain);
        if (!WARNED.add(type + " " + version)) {
            return;
        }
        Targets.Target first = unmatched.get(0);
        StringBuilder methods = new StringBuilder();
        for (Targets.Target target : unmatched) {
            methods.append(methods.length() == 0 ? "" : ", ").append(target.method).append(target.descriptors);
        }
        AgentLog.warn(type + " (" + version + ") has no method " + methods + " as the agent knows it: the class"
                + " loads unchanged and " + first.hook.withoutIt + "; see docs/how-it-works.md for the versions"
                + " supported");
    }

    /** "JDK 17.0.9", "version 42.7.3 from postgresql-42.7.3.jar", or what is known of it. */
    static String of(ClassLoader loader, ProtectionDomain domain) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return "JDK " + Runtime.version();
        }
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            return "version unknown";
        }
        String file = location.getPath();
        String name = file.substring(file.lastIndexOf('/', file.length() - 2) + 1);
        return "version " + manifestVersion(location) + " from " + name;
    }

    private static String manifestVersion(URL location) {
        if (!"file".equals(location.getProtocol()) || !location.getPath().endsWith(".jar")) {
            return "unknown";
        }
        try (JarFile jar = new JarFile(new File(location.toURI()))) {
            Manifest manifest = jar.getManifest();
            Attributes main = manifest == null ? null : manifest.getMainAttributes();
            String version = main == null ? null : main.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (version == null && main != null) {
                version = main.getValue("Bundle-Version");
            }
            return version == null ? "unknown" : version;
        } catch (Exception | LinkageError e) {
            return "unknown";
        }
    }
}
