package io.poolagent.intercept;

import io.poolagent.session.TrackedConnection;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;

/**
 * Woven into the agent's own (relocated) HikariCP: at the start of its connection handle's
 * {@code close()}, the return path decides whether the connection may stay idle (Go's MaxIdleConns),
 * while HikariCP can still be told to close it instead. Runs inside the agent's class loader.
 */
final class ReturnAdvice {

    private ReturnAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter(@Advice.This Connection pooled) {
        TrackedConnection.closing(pooled);
    }
}
