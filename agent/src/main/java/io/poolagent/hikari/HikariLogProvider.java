package io.poolagent.hikari;

import io.poolagent.hikari.CloseReasons;
import io.poolagent.log.AgentLog;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Routes the bundled (relocated) HikariCP's SLF4J logging into {@link AgentLog}. Without a provider,
 * SLF4J would print its "no providers" warning into the application's stderr; with the application's
 * own provider, HikariCP's lines would mix with the application's configuration.
 *
 * <p>HikariCP's INFO lines ("Starting...", "Start completed.") become DEBUG: the agent says once per
 * pool what it started, in its own words.
 */
public final class HikariLogProvider implements SLF4JServiceProvider {

    private final ILoggerFactory loggers = name -> new HikariLogger(name);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up
    }

    private static final class HikariLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        /** HikariCP's "closing connection" line: pool name, connection, reason (HikariCP's PoolBase). */
        private static final String CLOSING = "{} - Closing connection {}: {}";

        private final boolean closesConnections;

        HikariLogger(String name) {
            this.name = name;
            // A literal, not PoolBase.class.getName(): the shade plugin relocates it to the bundled class.
            this.closesConnections = name.equals(HikariNames.AGENT_POOL_PACKAGE + "PoolBase");
        }

        private static AgentLog.Level map(Level level) {
            switch (level) {
                case ERROR: return AgentLog.Level.ERROR;
                case WARN: return AgentLog.Level.WARN;
                default: return AgentLog.Level.DEBUG;
            }
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            if (CLOSING.equals(pattern) && arguments != null && arguments.length == 3) {
                CloseReasons.record(String.valueOf(arguments[0]), String.valueOf(arguments[2]));
            }
            if (!AgentLog.enabled(map(level))) {
                return;
            }
            String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            AgentLog.log(map(level), "HikariCP: " + message + (throwable == null ? "" : " (" + throwable + ")"));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        /** PoolBase's DEBUG line is where HikariCP says why it closed a connection: always take it. */
        @Override
        public boolean isDebugEnabled() {
            return closesConnections || AgentLog.enabled(AgentLog.Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return AgentLog.enabled(AgentLog.Level.DEBUG);
        }

        @Override
        public boolean isWarnEnabled() {
            return AgentLog.enabled(AgentLog.Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return AgentLog.enabled(AgentLog.Level.ERROR);
        }
    }
}
