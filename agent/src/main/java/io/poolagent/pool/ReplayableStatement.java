package io.poolagent.pool;

import io.poolagent.pgjdbc.ConnectionFacade;
import io.poolagent.retry.SqlStates;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A statement made on a standby's session, able to run again elsewhere if that standby is lost before anything ran
 * on the session (the first query of a read-only transaction, or of a read in auto-commit): it remembers how it was
 * made and what was set on it since, and on a lost-server error ({@link RoutedConnection#afterLostReplica}) makes
 * itself again on the session the connection moved to and runs the same call there. Nothing is run twice: the
 * first run's server is gone, and a standby writes nothing.
 *
 * <p>Anything that cannot be made again exactly (a batch, a stream already read from, the driver's own statement)
 * makes it an ordinary statement whose error the application sees.
 */
final class ReplayableStatement implements InvocationHandler {

    private static final Class<?>[] PLAIN = {Statement.class};
    private static final Class<?>[] PREPARED = {PreparedStatement.class};

    private final RoutedConnection owner;
    private final Method factory;
    private final Object[] factoryArgs;
    private Connection session;
    private Statement statement;
    /** The setters called since it was made, the last per parameter or setting, in order. */
    private final Map<Object, Call> setters = new LinkedHashMap<>();
    private boolean replayable = true;

    private ReplayableStatement(RoutedConnection owner, Connection session, Method factory, Object[] factoryArgs,
                                Statement statement) {
        this.owner = owner;
        this.session = session;
        this.factory = factory;
        this.factoryArgs = factoryArgs == null ? null : factoryArgs.clone();
        this.statement = statement;
    }

    static Statement wrap(RoutedConnection owner, Connection session, Method factory, Object[] args,
                          Statement statement) {
        boolean prepared = statement instanceof PreparedStatement;
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), prepared ? PREPARED : PLAIN,
                new ReplayableStatement(owner, session, factory, args, statement));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return ConnectionFacade.ownValue(proxy, method, args, String.valueOf(statement));
        }
        String name = method.getName();
        if (name.startsWith("execute")) {
            return execute(method, args);
        }
        remember(method, args);
        return call(statement, method, args);
    }

    private void remember(Method method, Object[] args) {
        String name = method.getName();
        if (name.endsWith("Batch") || name.equals("unwrap")) {
            replayable = false;
        } else if (name.equals("clearParameters")) {
            setters.keySet().removeIf(key -> key instanceof Integer);
            setters.put(name, new Call(method, args));
        } else if (name.startsWith("set") && args != null) {
            for (Object arg : args) {
                if (arg instanceof InputStream || arg instanceof Reader) {
                    replayable = false; // read once, by the first run
                }
            }
            // A parameter's setter replaces whatever set that parameter; a statement setting replaces itself.
            Object key = method.getDeclaringClass() == PreparedStatement.class && args[0] instanceof Integer
                    ? args[0] : name;
            setters.remove(key); // so that it goes last, after a clearParameters
            setters.put(key, new Call(method, args.clone()));
        }
    }

    private Object execute(Method method, Object[] args) throws Throwable {
        Connection ranOn = owner.sessionFor(session);
        if (ranOn != session) { // the standby fell behind, or this thread wrote: nothing ran, so it moves
            if (!replayable) {
                throw new SQLNonTransientException("pool-agent: this statement's read replica may no longer take"
                        + " it (behind the lag bound, or before this thread's write), and a batch cannot be moved;"
                        + " prepare it again", "0A000");
            }
            remake(ranOn, null);
        }
        try {
            Object result = call(statement, method, args);
            owner.completed(ranOn);
            return result;
        } catch (SQLException e) {
            Connection next = replayable ? owner.afterLostReplica(ranOn, e) : null;
            if (next == null) {
                if (!SqlStates.isServerLost(e)) {
                    owner.completed(ranOn); // it reached the server: the session (its transaction) moved on
                }
                throw e;
            }
            remake(next, e);
            Object result = call(statement, method, args);
            owner.completed(next);
            return result;
        }
    }

    /**
     * The statement again on {@code next}, with what was set on it; a failure to do so reports {@code first} (the
     * error that made it move), if any.
     */
    private void remake(Connection next, SQLException first) throws Throwable {
        try {
            statement.close();
        } catch (SQLException | RuntimeException ignored) {
            // its session is gone
        }
        try {
            Statement again = (Statement) call(next, factory, factoryArgs);
            for (Call setter : setters.values()) {
                call(again, setter.method, setter.args);
            }
            session = next;
            statement = again;
        } catch (Throwable t) {
            if (first == null) {
                throw t;
            }
            first.addSuppressed(t);
            throw first;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class Call {
        final Method method;
        final Object[] args;

        Call(Method method, Object[] args) {
            this.method = method;
            this.args = args;
        }
    }
}
