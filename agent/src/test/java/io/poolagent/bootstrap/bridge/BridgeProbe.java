package io.poolagent.bootstrap.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * For tests of woven code outside this package: an interceptor that records what the bridge asks it and
 * answers with a set value, installed in place of the agent's.
 */
public final class BridgeProbe implements ConnectionInterceptor {

    public final List<String> asked = new ArrayList<>();
    public volatile Object answer;

    /** Installs a new probe; {@link #remove()} takes it out again. */
    public static BridgeProbe install() {
        BridgeProbe probe = new BridgeProbe();
        BridgeForTests.install(probe);
        return probe;
    }

    public void remove() {
        BridgeForTests.install(null);
    }

    @Override
    public Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader) {
        asked.add("driver " + url);
        return answer;
    }

    @Override
    public Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) {
        asked.add("caller route " + url);
        return answer;
    }

    @Override
    public Object fromRunningPool(String url, String user, String password) {
        asked.add("running pool " + url);
        return answer;
    }

    @Override
    public Object fromDataSource(Object dataSource, String user, String password) {
        asked.add("data source " + user);
        return answer;
    }

    @Override
    public void driverDeregistered(Object driver) {
        asked.add("deregistered " + driver);
    }
}
