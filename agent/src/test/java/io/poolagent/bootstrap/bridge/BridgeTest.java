package io.poolagent.bootstrap.bridge;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one boundary between the application and the agent: what the agent throws never reaches the application. */
class BridgeTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        Bridge.forgetReported();
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        BridgeForTests.install(null);
    }

    @Test
    void anAgentFailureMakesTheCallRunUnpooledAndIsReportedOncePerCause() throws Exception {
        BridgeForTests.install(failingWith(() -> new IllegalStateException("bug in the agent")));
        for (int i = 0; i < 3; i++) {
            assertNull(Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
            assertNull(Bridge.fromDriverManager("jdbc:postgresql://db/app", "u", "p"));
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().count(), log);
        assertTrue(log.startsWith("[pool-agent] ERROR agent failure, this call and others like it run unpooled:"
                + " java.lang.IllegalStateException: bug in the agent at "), log);
    }

    @Test
    void aFailingDriverManagerShortcutLetsDriverManagerGoOnAndUndoesItsMark() throws Exception {
        BridgeForTests.install(failingWith(() -> new IllegalStateException("bug")));
        assertNull(Bridge.fromDriverManager("jdbc:postgresql://db/app", new Properties(), BridgeTest.class));
        Bridge.exitDriverManager();
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void nothingIsPrintedWhenTheLogIsOff() throws Exception {
        BridgeForTests.quiet(true);
        try {
            BridgeForTests.install(failingWith(() -> new IllegalStateException("bug")));
            assertNull(Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        } finally {
            BridgeForTests.quiet(false);
        }
    }

    @Test
    void errorsAreContainedToo() throws Exception {
        BridgeForTests.install(failingWith(() -> new StackOverflowError()));
        assertNull(Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
        BridgeForTests.install(failingWith(() -> new NoClassDefFoundError("io/poolagent/Missing")));
        assertNull(Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
        assertEquals(2, err.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void theDatabasesSqlExceptionReachesTheCallerIntact() {
        SQLException down = new SQLTransientConnectionException("the database is down", "08001");
        BridgeForTests.install(failingWith(() -> down));
        SQLException thrown = assertThrows(SQLException.class,
                () -> Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
        assertSame(down, thrown);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDataSourceWhoseInterceptionFailedOpensItsOwnConnectionUnpooled() throws Exception {
        BridgeForTests.install(failingWith(() -> new IllegalStateException("bug")));
        assertNull(Bridge.fromDataSource(new Object(), "u", "p"));
        // the DataSource's body now runs with pass-through set: its driver connect is not intercepted
        BridgeForTests.install(answering("pooled"));
        assertNull(Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
        Bridge.exitPassThrough();
        assertEquals("pooled", Bridge.fromDriver(new Object(), "jdbc:postgresql://db/app", new Properties()));
    }

    @Test
    void aFailingDeregistrationHookNeverReachesTheCaller() {
        BridgeForTests.install(failingWith(() -> new IllegalStateException("close failed")));
        Bridge.driverDeregistered(new Object());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("close failed"));
    }

    @Test
    void theAgentsInterceptorIsTakenOnceAndNoOtherAfterIt() throws Exception {
        BridgeForTests.install(null);
        Method install = agentSide().getMethod("install", Object.class);
        try {
            assertEquals(true, install.invoke(null, "pooled"), "the agent's, from its own loader");
            assertEquals(false, install.invoke(null, "stolen"), "a second one");
            assertSame("pooled", Bridge.fromDriver(null, "jdbc:postgresql://h/db", new Properties()));
        } finally {
            BridgeForTests.install(null);
        }
    }

    @Test
    void theApplicationsLoaderCannotInstallAnInterceptor() throws Exception {
        BridgeForTests.install(null);
        try {
            assertFalse(Bridge.installFirst(answering("stolen"), false), "from the application's class loader");
            assertNull(Bridge.fromDriver(null, "jdbc:postgresql://h/db", new Properties()));
        } finally {
            BridgeForTests.install(null);
        }
    }

    /** Stands for the agent's installer and interceptor, both in the agent's own loader: see {@link #agentSide}. */
    public static final class AgentSide implements ConnectionInterceptor {
        private final Object answer;

        public AgentSide(Object answer) {
            this.answer = answer;
        }

        public static boolean install(Object answer) {
            return Bridge.installFirst(new AgentSide(answer), false);
        }

        @Override
        public Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader) {
            return answer;
        }

        @Override
        public Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) {
            return answer;
        }

        @Override
        public Object fromRunningPool(String url, String user, String password) {
            return answer;
        }

        @Override
        public Object fromDataSource(Object dataSource, String user, String password) {
            return answer;
        }

        @Override
        public void driverDeregistered(Object driver) {
        }
    }

    /** {@link AgentSide} defined afresh from its class file in a loader of its own, as the agent's classes are. */
    private static Class<?> agentSide() throws Exception {
        String name = AgentSide.class.getName();
        byte[] bytes;
        try (InputStream in = AgentSide.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        }
        return new ClassLoader(BridgeTest.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(name, bytes, 0, bytes.length);
            }
        }.define();
    }

    private static ConnectionInterceptor failingWith(Supplier<Throwable> failure) {
        return new ConnectionInterceptor() {
            @Override
            public Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader)
                    throws Exception {
                throw sneaky(failure.get());
            }

            @Override
            public Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) throws Exception {
                throw sneaky(failure.get());
            }

            @Override
            public Object fromRunningPool(String url, String user, String password) throws Exception {
                throw sneaky(failure.get());
            }

            @Override
            public Object fromDataSource(Object dataSource, String user, String password) throws Exception {
                throw sneaky(failure.get());
            }

            @Override
            public void driverDeregistered(Object driver) {
                throw sneaky(failure.get());
            }
        };
    }

    private static ConnectionInterceptor answering(Object connection) {
        return new AgentSide(connection);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
