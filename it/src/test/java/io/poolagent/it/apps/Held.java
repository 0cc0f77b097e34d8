package io.poolagent.it.apps;

import java.lang.reflect.Proxy;

/** Names what the application holds: the agent's facade is a JDK proxy, named here by its handler's class. */
public final class Held {

    private Held() {
    }

    public static String className(Object connection) {
        Class<?> type = connection.getClass();
        return Proxy.isProxyClass(type) ? Proxy.getInvocationHandler(connection).getClass().getName() : type.getName();
    }
}
