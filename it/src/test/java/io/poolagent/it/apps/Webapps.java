package io.poolagent.it.apps;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * A servlet container in miniature: two web applications, each in its own class loader with its own
 * pgjdbc jar, serve requests through DriverManager; the second registers and deregisters another driver of
 * its own; then the first is undeployed (its driver deregistered, its loader dropped) and the second keeps
 * serving. Reports whether the first loader was collected.
 * The JVM runs with only this class's directory on the classpath: pgjdbc lives in the web applications.
 * Args: URL USER PASSWORD PGJDBC_JAR CLASSES_DIR
 */
public final class Webapps {

    public static void main(String[] args) throws Exception {
        URL[] webappPath = {Path.of(args[3]).toUri().toURL(), Path.of(args[4]).toUri().toURL()};
        URLClassLoader first = new URLClassLoader("webapp-a", webappPath, ClassLoader.getPlatformClassLoader());
        URLClassLoader second = new URLClassLoader("webapp-b", webappPath, ClassLoader.getPlatformClassLoader());
        System.out.println("RESULT first=" + call(first, "serve", args));
        System.out.println("RESULT second=" + call(second, "serve", args));
        System.out.println("RESULT otherDriverCycled=" + call(second, "cycleAnotherDriver"));
        System.out.println("RESULT deregistered=" + call(first, "undeploy"));
        System.out.println("RESULT mark=undeployed");

        WeakReference<ClassLoader> undeployed = new WeakReference<>(first);
        first.close();
        first = null;
        System.out.println("RESULT secondAfterUndeploy=" + call(second, "serve", args));
        int collections = 0;
        while (undeployed.get() != null && collections < 300) {
            System.gc();
            Thread.sleep(100);
            collections++;
        }
        System.out.println("RESULT firstLoaderCollected=" + (undeployed.get() == null));
    }

    /** As a container does: the request runs with the web application's loader as context loader. */
    private static Object call(ClassLoader webapp, String method, String... args) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try {
            Class<?> code = Class.forName("io.poolagent.it.apps.webapp.WebappCode", true, webapp);
            if (method.equals("serve")) {
                return code.getMethod(method, String.class, String.class, String.class).invoke(null, args[0], args[1], args[2]);
            }
            return code.getMethod(method).invoke(null);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
