package io.poolagent.pool;

import io.poolagent.config.Settings;
import io.poolagent.metrics.AgentMetrics;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The shortcut from a caller's class loader and credentials to the pool DriverManager found for them. */
class CallerRoutesTest {

    private static final String URL = StubDriver.URL;

    private final CallerRoutes routes = new CallerRoutes();
    private final ClassLoader app = new ClassLoader(getClass().getClassLoader()) { };
    private final ClassLoader webapp = new ClassLoader(getClass().getClassLoader()) { };

    /** A pool that is never started: routes only hold it. */
    private static ManagedPool pool(String user, String password) {
        Settings settings = ManagedPoolTest.settings();
        return new ManagedPool(PoolKey.of(URL, user, password, CallerRoutesTest.class.getClassLoader()), user,
                new StubDriver(), settings, new AgentMetrics(settings), null, started -> { });
    }

    private static PoolKey credentials(String user, String password) {
        return PoolKey.of(URL, user, password, null);
    }

    @Test
    void aRouteServesItsLoaderAndCredentialsOnly() {
        ManagedPool alice = pool("alice", "s3cret");
        routes.put(app, credentials("alice", "s3cret"), alice);

        assertSame(alice, routes.get(app, credentials("alice", "s3cret")));
        assertNull(routes.get(app, credentials("alice", "guessed")));
        assertNull(routes.get(app, credentials("bob", "s3cret")));
        assertNull(routes.get(webapp, credentials("alice", "s3cret")), "another loader may see another driver");
        assertNull(routes.get(null, credentials("alice", "s3cret")));
    }

    @Test
    void aClosedPoolIsForgottenByEveryLoader() {
        ManagedPool alice = pool("alice", "s3cret");
        ManagedPool bob = pool("bob", "hunter2");
        routes.put(app, credentials("alice", "s3cret"), alice);
        routes.put(webapp, credentials("alice", "s3cret"), alice);
        routes.put(app, credentials("bob", "hunter2"), bob);

        routes.forget(alice);

        assertNull(routes.get(app, credentials("alice", "s3cret")));
        assertNull(routes.get(webapp, credentials("alice", "s3cret")));
        assertSame(bob, routes.get(app, credentials("bob", "hunter2")));
    }

    @Test
    void aLoaderKeepsAtMost64RoutesButItsKnownOnesMove() {
        ManagedPool pool = pool("alice", "s3cret");
        for (int i = 0; i < 64; i++) {
            routes.put(app, credentials("alice", "password-" + i), pool);
        }
        routes.put(app, credentials("alice", "password-64"), pool);
        assertNull(routes.get(app, credentials("alice", "password-64")), "one that varies its properties per call");

        ManagedPool replacement = pool("alice", "s3cret");
        routes.put(app, credentials("alice", "password-0"), replacement);
        assertSame(replacement, routes.get(app, credentials("alice", "password-0")));
        routes.put(webapp, credentials("alice", "password-64"), pool);
        assertSame(pool, routes.get(webapp, credentials("alice", "password-64")), "the limit is per loader");
    }
}
