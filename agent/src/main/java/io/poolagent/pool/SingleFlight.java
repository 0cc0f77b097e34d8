package io.poolagent.pool;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs one piece of work at a time for any number of callers: a caller that arrives while it runs waits
 * for that run instead of starting its own. A pool's first connect goes through here, so that the server
 * sees one attempt per back-off step from a pool, not one per application thread. A failed run leaves
 * nothing behind: the next caller starts afresh.
 */
final class SingleFlight<T> {

    interface Work<T> {
        T run() throws SQLException;
    }

    private CompletableFuture<T> running;

    T run(Work<T> work) throws SQLException {
        CompletableFuture<T> flight;
        boolean mine = false;
        synchronized (this) {
            if (running == null) {
                running = new CompletableFuture<>();
                mine = true;
            }
            flight = running;
        }
        // The work runs outside the lock, so that callers arriving meanwhile can find it and wait.
        return mine ? runAndShare(work, flight) : await(flight);
    }

    private T runAndShare(Work<T> work, CompletableFuture<T> flight) throws SQLException {
        try {
            T result = work.run();
            flight.complete(result);
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            flight.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                running = null;
            }
        }
    }

    /** The run's failure reaches every waiter, SQLSTATE intact, as an exception of its own that chains it. */
    private static <T> T await(CompletableFuture<T> flight) throws SQLException {
        try {
            return flight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the pool's first connection", "08001", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                SQLException original = (SQLException) cause;
                throw new SQLException(original.getMessage(), original.getSQLState(), original.getErrorCode(), original);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw (Error) cause;
        }
    }
}
