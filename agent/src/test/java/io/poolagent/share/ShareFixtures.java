package io.poolagent.share;

import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings, tags and servers as the share's tests write them. */
final class ShareFixtures {

    private ShareFixtures() {
    }

    /** DB_MAX_OPEN_CONNS=auto with the given further settings, which must all be valid. */
    static ShareSettings settings(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("DB_MAX_OPEN_CONNS", "auto");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        Settings settings = Settings.load(env, null);
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
        return settings.share();
    }

    static InstanceTag tag(String id, int weight) {
        return new InstanceTag("svc", id, weight);
    }

    static String tagged(String id, int weight) {
        return tag(id, weight).applicationName("app");
    }

    /** Application names and their session counts, in order: a tagged name comes from {@link #tagged}. */
    static Map<String, Integer> sessions(Object... namesAndCounts) {
        Map<String, Integer> sessions = new LinkedHashMap<>();
        for (int i = 0; i < namesAndCounts.length; i += 2) {
            sessions.put((String) namesAndCounts[i], (Integer) namesAndCounts[i + 1]);
        }
        return sessions;
    }

    /** A server of max_connections 100, nothing reserved, with these sessions all of the pool's own role. */
    static Census server(Object... namesAndCounts) {
        return Census.of(100, 0, sessions(namesAndCounts), 0);
    }
}
