/**
 * Everything the agent knows about HikariCP beyond its public API, in one room. Two HikariCPs are concerned.
 *
 * <p><b>The agent's own</b>, relocated to {@code io.poolagent.shaded.hikari} and fixed at the version the agent
 * ships (7.1.0, the parent pom's {@code hikaricp.version}); every dependency below is pinned by a test against
 * that version, so a HikariCP upgrade that breaks one fails the build:
 * <ul>
 * <li>{@link io.poolagent.hikari.HikariInternals}: {@code ProxyConnection.getPoolEntry()} and
 * {@code PoolEntry.markEvicted()} by a private lookup (close on return). Missing: one WARN, and
 * DB_MAX_IDLE_CONNS no longer closes on return (DB_CONN_MAX_IDLE_TIME still does).
 * {@code HikariInternalsTest}.</li>
 * <li>{@link io.poolagent.hikari.HikariLogProvider}: the agent is HikariCP's SLF4J provider, and reads the close
 * reason from PoolBase's DEBUG line {@code "{} - Closing connection {}: {}"} into
 * {@link io.poolagent.hikari.CloseReasons}. Missing: the Go close counters stay at zero, nothing else changes.
 * {@code CloseReasonsTest}.</li>
 * <li>{@link io.poolagent.hikari.HikariSettings}: the system properties {@code com.zaxxer.hikari.enableRequestBoundaries}
 * (relocated with the library, so the application's HikariCP never reads them) and
 * {@code ...housekeeping.periodMs}. The return path hangs off the first: a HikariCP that stopped reading it
 * would reset no session at all, which the integration suite (SessionMatrixTest) would show at once.</li>
 * <li>{@code HikariPool.getConnection(long)}, a borrow with a wait of its own, on the pool object HikariCP hands
 * out only as its MXBean ({@code HikariInternals.borrow}, for the fair share's counts).</li>
 * <li>Woven methods of its proxies ({@link io.poolagent.hikari.HikariNames#AGENT_POOL_PACKAGE}, rows of
 * intercept's {@code Targets}): {@code ProxyConnection.close/unwrap}, {@code ProxyStatement},
 * {@code ProxyResultSet}, {@code ProxyDatabaseMetaData} {@code getConnection/unwrap}. {@code WeaveMatrixTest}
 * weaves the agent's own copy.</li>
 * </ul>
 *
 * <p><b>The application's</b>, never linked against, only woven: {@code PoolBase.newConnection}
 * ({@link io.poolagent.hikari.HikariNames#APP_POOL_BASE}), so that a connection HikariCP opens is not pooled a
 * second time. Proven by {@code WeaveMatrixTest} on HikariCP 2.4.7, HikariCP-java7 2.4.13, 5.1.0, 6.0.0 and 7.1.0
 * ({@code ()} before 6.2, {@code (Z)} from 6.2). Missing: one WARN naming the class, method and version, and
 * that pool's physical connections may be pooled again by the agent.
 */
package io.poolagent.hikari;
