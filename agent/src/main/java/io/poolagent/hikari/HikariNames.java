package io.poolagent.hikari;

/**
 * HikariCP's class names that the agent weaves (see intercept's {@code Targets}), in two kinds.
 *
 * <p>The shade plugin rewrites every string constant that looks like a bundled package: a literal
 * {@code "com.zaxxer.hikari.pool.PoolBase"} becomes {@code "io.poolagent.shaded.hikari.pool.PoolBase"} in the
 * shipped jar. So a literal names the agent's own, relocated HikariCP ({@link #AGENT_POOL_PACKAGE}), and a name of
 * the <em>application's</em> HikariCP is joined at run time from its segments, which no rewriting sees.
 */
public final class HikariNames {

    /** The application's HikariCP, which opens its physical connections in {@code PoolBase.newConnection}. */
    public static final String APP_POOL_BASE = String.join(".", "com", "zaxxer", "hikari", "pool", "PoolBase");
    /** The pool package of the agent's own HikariCP (relocated with it): its proxies' close and unwrap are woven, its PoolBase logs closes. */
    public static final String AGENT_POOL_PACKAGE = "com.zaxxer.hikari.pool.";

    private HikariNames() {
    }
}
