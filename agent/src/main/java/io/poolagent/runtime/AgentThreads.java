package io.poolagent.runtime;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread the agent starts, and every thread its libraries start for it (HikariCP's, the HTTP
 * server's), comes from here: a daemon that holds nothing of the application.
 *
 * <p>A new thread inherits the context class loader of the thread that creates it, its inheritable
 * thread-locals (request and logging contexts of web frameworks) and, before JDK 24, an access control
 * context holding the protection domains (and so the class loaders) of every frame on the creating stack. The agent creates threads lazily, on some application thread: a servlet container's
 * request thread would pin that web application's class loader for as long as the thread lives, long
 * after the application is undeployed (the classic "thread started by the webapp" leak Tomcat warns of).
 * So the context loader is the agent's own, inheritable thread-locals are not copied, and the thread is
 * created inside {@code doPrivileged}, which cuts the inherited context down to the agent's frames.
 */
public final class AgentThreads {

    private static final ClassLoader AGENT = AgentThreads.class.getClassLoader();

    private AgentThreads() {
    }

    public static Thread daemon(Runnable task, String name) {
        Thread thread = privileged(() -> new Thread(null, task, name, 0, false));
        thread.setDaemon(true);
        thread.setContextClassLoader(AGENT);
        return thread;
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}... */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> daemon(task, prefix + "-" + count.incrementAndGet());
    }

    /** A shutdown hook is a thread too, kept by the JVM until exit: same care. */
    public static Thread hook(Runnable task, String name) {
        Thread thread = privileged(() -> new Thread(null, task, name, 0, false));
        thread.setContextClassLoader(AGENT);
        return thread;
    }

    @SuppressWarnings("removal") // deprecated with the Security Manager; still what cuts the inherited context before JDK 24
    private static Thread privileged(PrivilegedAction<Thread> create) {
        return AccessController.doPrivileged(create);
    }
}
