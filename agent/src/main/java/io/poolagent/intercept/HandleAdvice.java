package io.poolagent.intercept;

import io.poolagent.session.TrackedConnection;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;

/**
 * Woven into the agent's own (relocated) HikariCP: {@code getConnection()} of its statement and metadata
 * handles returns HikariCP's connection handle, and the application holds a facade around it. JDBC says
 * a statement's connection is the one that produced it, and code casts it to the driver's interface, so
 * it returns what the application holds. Runs inside the agent's class loader, so it calls the agent directly.
 */
final class HandleAdvice {

    private HandleAdvice() {
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Return(readOnly = false) Connection connection) {
        connection = TrackedConnection.heldFor(connection);
    }
}
