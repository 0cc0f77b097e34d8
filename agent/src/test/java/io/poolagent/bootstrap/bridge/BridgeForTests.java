package io.poolagent.bootstrap.bridge;

import java.lang.reflect.Field;

/** For tests: sets the bridge's interceptor and quiet flag, which the agent sets once through installFirst. */
final class BridgeForTests {

    private BridgeForTests() {
    }

    static void install(ConnectionInterceptor target) {
        set("interceptor", target);
    }

    static void quiet(boolean silent) {
        set("quiet", silent);
    }

    private static void set(String name, Object value) {
        try {
            Field field = Bridge.class.getDeclaredField(name);
            field.setAccessible(true);
            field.set(null, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
