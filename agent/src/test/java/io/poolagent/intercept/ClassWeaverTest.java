package io.poolagent.intercept;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.bootstrap.bridge.BridgeProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The advice woven into a javac-compiled class, loaded by the JVM (whose verifier checks what Byte Buddy
 * wrote) and run against a probe behind the bridge: what the caller gets and what the bridge was asked.
 */
class ClassWeaverTest {

    /** Shaped like pgjdbc's Driver and BaseDataSource; its bodies say what the bridge answers inside them. */
    public static final class Fixture {
        public static final Properties NONE = new Properties();

        public Connection connect(String url, Properties info) {
            if (url.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            return null; // the body ran: no pooled answer
        }

        /** While the body runs, the driver's connect must pass through: the bridge does not ask the probe. */
        public Connection getConnection(String user, String password) throws Exception {
            Bridge.fromDriver(this, "jdbc:postgresql://inside/" + user, NONE);
            if (user.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            return null;
        }

        public Connection connect(String url, Properties info, int extra) {
            return null;
        }
    }

    private BridgeProbe probe;

    @BeforeEach
    void probe() {
        probe = BridgeProbe.install();
    }

    @AfterEach
    void remove() {
        probe.remove();
    }

    @Test
    void aPooledAnswerIsReturnedWithoutRunningTheBody() throws Exception {
        Object fixture = woven(target("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
                Hook.DRIVER_CONNECT));
        Connection pooled = fakeConnection();
        probe.answer = pooled;

        assertSame(pooled, invoke(fixture, "connect", "boom", Fixture.NONE)); // "boom" would throw in the body
        assertEquals(List.of("driver boom"), probe.asked);
    }

    @Test
    void noAnswerRunsTheBody() throws Exception {
        Object fixture = woven(target("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
                Hook.DRIVER_CONNECT));

        assertNull(invoke(fixture, "connect", "jdbc:x", Fixture.NONE));
        assertEquals(List.of("driver jdbc:x"), probe.asked, "the bridge was asked first");
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> invoke(fixture, "connect", "boom", Fixture.NONE));
        assertEquals("boom", thrown.getCause().getMessage());
    }

    @Test
    void aDataSourcesOwnConnectPassesThroughAndTheDepthComesDownHoweverTheBodyEnds() throws Exception {
        Object fixture = woven(target("getConnection", "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;",
                Hook.DATA_SOURCE));

        invoke(fixture, "getConnection", "alice", "pw");
        assertThrows(InvocationTargetException.class, () -> invoke(fixture, "getConnection", "boom", "pw"));
        Bridge.fromDriver(fixture, "jdbc:postgresql://after/", Fixture.NONE);

        // asked twice by the woven entry, never from inside the bodies, and again once both had ended
        assertEquals(List.of("data source alice", "data source boom", "driver jdbc:postgresql://after/"), probe.asked);
    }

    @Test
    void aClassWhoseMethodHasAnotherReturnTypeIsLeftUnwovenAndNamed() throws IOException {
        Targets.Target changed = target("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/lang/Object;",
                Hook.DRIVER_CONNECT);

        ClassWeaver.Result result = ClassWeaver.weave(internalName(), bytes(), getClass().getClassLoader(),
                List.of(changed));

        assertNull(result.woven);
        assertEquals(List.of(changed), result.unmatched);
    }

    @Test
    void anUnmatchedTargetIsNamedAndTheOthersOfTheClassAreWovenStill() throws Exception {
        Targets.Target good = target("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
                Hook.DRIVER_CONNECT);
        Targets.Target missing = target("absent", "()V", Hook.POOL_LIBRARY);

        ClassWeaver.Result result = ClassWeaver.weave(internalName(), bytes(), getClass().getClassLoader(),
                List.of(good, missing));

        assertEquals(List.of(missing), result.unmatched);
        Object fixture = define(result.woven);
        probe.answer = fakeConnection();
        assertSame(probe.answer, invoke(fixture, "connect", "boom", Fixture.NONE));
    }

    @Test
    void aPoolLibrarysConnectPassesThroughAndTheDepthComesDownWhenItThrows() throws Exception {
        Object fixture = woven(target("getConnection", "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;",
                Hook.POOL_LIBRARY));

        assertThrows(InvocationTargetException.class, () -> invoke(fixture, "getConnection", "boom", "pw"));
        Bridge.fromDriver(fixture, "jdbc:postgresql://after/", Fixture.NONE);

        // nothing asked inside the body (passing through), and the driver asked again once it had thrown
        assertEquals(List.of("driver jdbc:postgresql://after/"), probe.asked);
    }

    private static Targets.Target target(String method, String descriptor, Hook hook) {
        return new Targets.Target(Fixture.class.getName(), method, List.of(descriptor), hook);
    }

    private static String internalName() {
        return Fixture.class.getName().replace('.', '/');
    }

    private static byte[] bytes() throws IOException {
        try (InputStream in = Fixture.class.getResourceAsStream("/" + internalName() + ".class")) {
            return in.readAllBytes();
        }
    }

    /** The woven class, defined in a loader of its own, instantiated. */
    private Object woven(Targets.Target target) throws Exception {
        ClassWeaver.Result result = ClassWeaver.weave(internalName(), bytes(), getClass().getClassLoader(), List.of(target));
        assertNotNull(result.woven, "not woven: " + result.unmatched);
        return define(result.woven);
    }

    private Object define(byte[] woven) throws Exception {
        Class<?> type = new ClassLoader(getClass().getClassLoader()) {
            Class<?> define() {
                return defineClass(Fixture.class.getName(), woven, 0, woven.length);
            }
        }.define();
        return type.getConstructor().newInstance();
    }

    private static Object invoke(Object target, String name, Object... args) throws Exception {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                return method.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static Connection fakeConnection() {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(ClassWeaverTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
    }
}
