package io.poolagent.intercept;

/**
 * What the agent inserts into one kind of target method: Byte Buddy advice, a class each in {@link Advices}
 * (and one exit shared by the hooks that may answer for a method), inlined into the method. Plain data (the
 * advice by name), so that reading the table in {@link Targets} at start-up loads neither the advice nor
 * Byte Buddy.
 */
enum Hook {
    /** pgjdbc's Driver.connect: every physical connect, whoever calls it, may be answered from a pool. */
    DRIVER_CONNECT("DriverConnect", "ReturnAnswer", "its connections stay unpooled"),
    /** DriverManager's private getConnection(url, info, caller): the caller's route, and a mark for the driver. */
    DRIVER_MANAGER_CALLER("DriverManagerCaller", "its connections stay unpooled"),
    /** DriverManager.getConnection(url, user, password): served from a running pool before any lookup. */
    DRIVER_MANAGER_SHORTCUT("DriverManagerShortcut", "ReturnAnswer", "its callers take the longer way to the pool"),
    /** DriverManager.deregisterDriver: the driver's pools close. */
    DRIVER_DEREGISTERED("DriverDeregistered", "a web application's pools stay open after it is undeployed"),
    /** pgjdbc's BaseDataSource.getConnection(user, password): answered from a pool, else passes through. */
    DATA_SOURCE("DataSource", "its connections stay unpooled"),
    /** Where a pool library opens a physical connection: nothing under it is pooled again. */
    POOL_LIBRARY("PoolLibrary", "the agent may pool its physical connections a second time"),
    /** The agent's HikariCP: statement and metadata getConnection() return what the application holds. */
    HELD_HANDLE("HeldHandle", "statements give HikariCP's handle instead of the application's"),
    /** The agent's HikariCP: unwrapping a statement, result set or metadata reaches the driver. */
    UNWRAPPING("Unwrapping", "a session reached through the driver may be lent again"),
    /** The agent's HikariCP: unwrapping the connection handle reaches the driver. */
    CONNECTION_UNWRAP("ConnectionUnwrap", "a session reached through the driver may be lent again"),
    /** The agent's HikariCP: the handle's close() runs the return path first. */
    CLOSING("Closing", "sessions go back without their reset");

    private final String advice;
    /** The class of the exit advice when it is not {@code advice}'s own. */
    private final String exit;
    /** What the application loses when a target of this hook cannot be woven, for the warning. */
    final String withoutIt;

    Hook(String advice, String withoutIt) {
        this(advice, advice, withoutIt);
    }

    Hook(String advice, String exit, String withoutIt) {
        this.advice = advice;
        this.exit = exit;
        this.withoutIt = withoutIt;
    }

    /** The binary name of the advice class, in the agent's own class loader. */
    String adviceClass() {
        return binaryName(advice);
    }

    /** The binary name of the class holding the exit advice: the advice class itself, or one shared by hooks. */
    String exitClass() {
        return binaryName(exit);
    }

    private static String binaryName(String nested) {
        return "io.poolagent.intercept.Advices$" + nested; // a string: no class loads before the first weave
    }
}
