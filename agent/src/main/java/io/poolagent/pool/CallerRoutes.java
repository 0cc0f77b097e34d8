package io.poolagent.pool;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which pool DriverManager ended up at for a caller's class loader and a URL with its properties, so that
 * the next such call skips the JDK's walk over its drivers. The caller's loader is not always the
 * driver's (a web application calling a pgjdbc in the container's lib), so it is held weakly: an
 * undeployed application's loader must not be kept alive by the agent's shortcut.
 */
final class CallerRoutes {

    /** An application that varies its properties per call gets no shortcut beyond this, only the full path. */
    private static final int MAX_ROUTES_PER_LOADER = 64;

    private final Map<LoaderKey, Map<PoolKey, ManagedPool>> byLoader = new ConcurrentHashMap<>();
    private final ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();

    ManagedPool get(ClassLoader loader, PoolKey credentials) {
        Map<PoolKey, ManagedPool> routes = byLoader.get(new Lookup(loader));
        return routes == null ? null : routes.get(credentials);
    }

    void put(ClassLoader loader, PoolKey credentials, ManagedPool pool) {
        purgeCollected();
        Map<PoolKey, ManagedPool> routes = byLoader.computeIfAbsent(new Weak(loader, collected),
                k -> new ConcurrentHashMap<>());
        if (routes.size() < MAX_ROUTES_PER_LOADER || routes.containsKey(credentials)) {
            routes.put(credentials, pool);
        }
    }

    /** The pool closed: no route may lead to it. */
    void forget(ManagedPool pool) {
        for (Map<PoolKey, ManagedPool> routes : byLoader.values()) {
            routes.values().removeIf(p -> p == pool);
        }
    }

    private void purgeCollected() {
        for (Object gone = collected.poll(); gone != null; gone = collected.poll()) {
            byLoader.remove(((WeakKeyReference) gone).key);
        }
    }

    /** Loaders compared by identity; a lookup holds its loader strongly, a stored key weakly. */
    private abstract static class LoaderKey {
        final int hash;

        LoaderKey(ClassLoader loader) {
            this.hash = System.identityHashCode(loader);
        }

        abstract ClassLoader loader();

        @Override
        public final int hashCode() {
            return hash;
        }

        @Override
        public final boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof LoaderKey)) {
                return false;
            }
            ClassLoader loader = loader();
            return loader != null && loader == ((LoaderKey) other).loader();
        }
    }

    private static final class Lookup extends LoaderKey {
        private final ClassLoader loader;

        Lookup(ClassLoader loader) {
            super(loader);
            this.loader = loader;
        }

        @Override
        ClassLoader loader() {
            return loader;
        }
    }

    private static final class Weak extends LoaderKey {
        private final WeakReference<ClassLoader> loader;

        Weak(ClassLoader loader, ReferenceQueue<ClassLoader> queue) {
            super(loader);
            this.loader = new WeakKeyReference(loader, queue, this); // NOPMD: the reference only keeps the key
        }

        @Override
        ClassLoader loader() {
            return loader.get();
        }
    }

    /** Enqueued when the loader is collected; {@link #purgeCollected} removes its map entry by this key. */
    private static final class WeakKeyReference extends WeakReference<ClassLoader> {
        final Weak key;

        WeakKeyReference(ClassLoader loader, ReferenceQueue<ClassLoader> queue, Weak key) {
            super(loader, queue);
            this.key = key;
        }
    }
}
