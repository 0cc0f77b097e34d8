package io.poolagent.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the agent argument string: {@code KEY=VALUE} pairs separated by semicolons, so that a value
 * such as DB_POOL_URLS can still carry a comma-separated list:
 * {@code -javaagent:pool-agent.jar=DB_MAX_OPEN_CONNS=10;DB_POOL_URLS=jdbc:postgresql:,jdbc:pgsql:}.
 */
final class AgentArguments {

    static final String SEPARATOR = ";";

    private AgentArguments() {
    }

    static Map<String, String> parse(String args, List<String> knownKeys, List<String> problems) {
        Map<String, String> values = new LinkedHashMap<>();
        if (args == null || args.trim().isEmpty()) {
            return values;
        }
        for (String pair : args.split(SEPARATOR)) {
            String entry = pair.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                // Not echoed: it may be the tail of a password that contained the separator.
                problems.add("an agent argument without '=' is not valid (not shown: it may be part of a secret):"
                        + " expected KEY=VALUE pairs separated by '" + SEPARATOR + "'; ignoring it");
                continue;
            }
            String key = entry.substring(0, equals).trim();
            if (!knownKeys.contains(key)) {
                // A key that is no setting's name may be a piece of a password that held the separator.
                String shown = key.matches("[A-Za-z_.]{1,64}") ? "\"" + key + "\"" : "(not shown: it may be part of a secret)";
                problems.add("agent argument " + shown + " is not valid: expected KEY=VALUE with KEY one of "
                        + knownKeys + ", pairs separated by '" + SEPARATOR + "'; ignoring it");
                continue;
            }
            values.put(key, entry.substring(equals + 1).trim());
        }
        return values;
    }
}
