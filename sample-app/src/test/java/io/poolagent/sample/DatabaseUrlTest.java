package io.poolagent.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void goStyleUrlBecomesJdbcWithCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://auth:s%40cret@db.internal:6432/velure_auth?sslmode=disable",
                null, null);
        assertEquals("jdbc:postgresql://db.internal:6432/velure_auth?sslmode=disable", url.jdbcUrl);
        assertEquals("auth", url.user);
        assertEquals("s@cret", url.password);
    }

    @Test
    void separateUserAndPasswordWin() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://auth:old@db/x", "other", "new");
        assertEquals("jdbc:postgresql://db/x", url.jdbcUrl);
        assertEquals("other", url.user);
        assertEquals("new", url.password);
    }

    @Test
    void jdbcUrlsPassThrough() {
        assertEquals("jdbc:postgresql://h:5432/d", DatabaseUrl.parse("jdbc:postgresql://h:5432/d", "u", "p").jdbcUrl);
    }

    @Test
    void missingOrUnknownUrlsSayWhatIsExpected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(null, null, null))
                .getMessage().contains("DATABASE_URL is not set"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("mysql://x/y", null, null))
                .getMessage().contains("unknown scheme"));
    }
}
