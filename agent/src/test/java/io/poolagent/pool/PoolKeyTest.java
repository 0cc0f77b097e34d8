package io.poolagent.pool;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolKeyTest {

    private static final String URL = "jdbc:postgresql://db:5432/app";
    private static final ClassLoader APP = PoolKeyTest.class.getClassLoader();

    private static Properties props(String... pairs) {
        Properties info = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            info.setProperty(pairs[i], pairs[i + 1]);
        }
        return info;
    }

    @Test
    void sameUrlAndPropertiesInAnyOrderShareAKey() {
        PoolKey a = PoolKey.of(URL, props("user", "alice", "password", "s3cret", "ApplicationName", "x"), APP);
        PoolKey b = PoolKey.of(URL, props("ApplicationName", "x", "password", "s3cret", "user", "alice"), APP);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(PoolKey.of(URL, "alice", "s3cret", APP), PoolKey.of(URL, props("user", "alice", "password", "s3cret"), APP));
    }

    @Test
    void theCredentialsShortcutBuildsTheSameKeyAsDriverManagersProperties() {
        String[][] credentials = {{"alice", "s3cret"}, {"alice", null}, {null, "s3cret"}, {null, null}};
        for (String[] c : credentials) {
            Properties info = new Properties();
            if (c[0] != null) {
                info.put("user", c[0]);
            }
            if (c[1] != null) {
                info.put("password", c[1]);
            }
            assertEquals(PoolKey.of(URL, info, APP), PoolKey.of(URL, c[0], c[1], APP), c[0] + "/" + c[1]);
        }
    }

    @Test
    void anotherUserPasswordOrPropertyIsAnotherKey() {
        PoolKey alice = PoolKey.of(URL, "alice", "s3cret", APP);
        assertNotEquals(alice, PoolKey.of(URL, "bob", "s3cret", APP));
        assertNotEquals(alice, PoolKey.of(URL, "alice", "other", APP));
        assertNotEquals(alice, PoolKey.of(URL, "alice", null, APP));
        assertNotEquals(alice, PoolKey.of(URL + "?ssl=true", "alice", "s3cret", APP));
        assertNotEquals(alice, PoolKey.of(URL, props("user", "alice", "password", "s3cret", "readOnly", "true"), APP));
    }

    @Test
    void driversFromAnotherClassLoaderNeverShareAPool() {
        ClassLoader webapp = new ClassLoader(APP) { };
        PoolKey ours = PoolKey.of(URL, "alice", "s3cret", APP);
        PoolKey theirs = PoolKey.of(URL, "alice", "s3cret", webapp);
        assertNotEquals(ours, theirs);
        assertFalse(ours.differsOnlyInPassword(PoolKey.of(URL, "alice", "other", webapp)));
        assertTrue(ours.differsOnlyInPassword(PoolKey.of(URL, "alice", "other", APP)));
    }

    @Test
    void propertyDefaultsCountAsTheDriverSeesThem() {
        Properties withDefaults = new Properties(props("user", "alice"));
        withDefaults.setProperty("password", "s3cret");
        assertEquals(PoolKey.of(URL, "alice", "s3cret", APP), PoolKey.of(URL, withDefaults, APP));
    }

    @Test
    void theDriverGetsACopyOfEveryProperty() {
        PoolKey key = PoolKey.of(URL, props("user", "alice", "password", "s3cret"), APP);
        Properties copy = key.properties();
        assertEquals("s3cret", copy.getProperty("password"));
        copy.setProperty("user", "mallory");
        assertEquals("alice", key.properties().getProperty("user"));
    }

    @Test
    void userComesFromPropertiesOrElseTheUrl() {
        assertEquals("alice", PoolKey.of(URL, "alice", null, APP).user());
        assertEquals("carol", PoolKey.of(URL + "?user=carol&password=x", new Properties(), APP).user());
    }

    @Test
    void textNeverShowsThePassword() {
        String text = PoolKey.of(URL + "?password=urlsecret", props("user", "alice", "password", "s3cret",
                "sslpassword", "keysecret"), APP).toString();
        assertFalse(text.contains("s3cret"), text);
        assertFalse(text.contains("urlsecret"), text);
        assertFalse(text.contains("keysecret"), text);
        assertTrue(text.contains("user=alice"), text);
    }

    @Test
    void aKeyIsRememberedByAFingerprintThatHoldsNoPassword() throws Exception {
        ClassLoader scope = getClass().getClassLoader();
        PoolKey.Fingerprint key = PoolKey.of("jdbc:postgresql://db/app", "alice", "s3cret", scope).fingerprint();

        assertEquals(key, PoolKey.of("jdbc:postgresql://db/app", "alice", "s3cret", scope).fingerprint());
        assertNotEquals(key, PoolKey.of("jdbc:postgresql://db/app", "alice", "rotated", scope).fingerprint());
        assertNotEquals(key, PoolKey.of("jdbc:postgresql://db/app", "alice", "s3cret", new ClassLoader(scope) {
        }).fingerprint());
        for (java.lang.reflect.Field field : PoolKey.Fingerprint.class.getDeclaredFields()) {
            field.setAccessible(true);
            Object value = field.get(java.lang.reflect.Modifier.isStatic(field.getModifiers()) ? null : key);
            String shown = value instanceof byte[] ? new String((byte[]) value, java.nio.charset.StandardCharsets.ISO_8859_1)
                    : String.valueOf(value);
            assertFalse(shown.contains("s3cret"), field.getName());
        }
    }
}
