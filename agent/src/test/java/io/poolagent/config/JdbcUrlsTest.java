package io.poolagent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JdbcUrlsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db/app?user=a&password=s3cret       | jdbc:postgresql://db/app?user=a&password=***",
            "jdbc:postgresql://db/app?password=s3cret&ssl=true     | jdbc:postgresql://db/app?password=***&ssl=true",
            "jdbc:postgresql://db/app?sslpassword=k&PASSWORD=s     | jdbc:postgresql://db/app?sslpassword=***&PASSWORD=***",
            "jdbc:postgresql://alice:s3cret@db:5432/app            | jdbc:postgresql://alice:***@db:5432/app",
            "jdbc:sqlserver://db;user=a;password=s3cret;encrypt=1  | jdbc:sqlserver://db;user=a;password=***",
            // the value runs to the next '&' whatever it holds: pgjdbc reads all of 'ab;cd?x' as the password
            "jdbc:postgresql://db/app?password=ab;cd&ssl=true      | jdbc:postgresql://db/app?password=***&ssl=true",
            "jdbc:postgresql://db/app?password=ab?cd/ef            | jdbc:postgresql://db/app?password=***",
            "jdbc:postgresql://alice:s;3/c?r@et@db/app             | jdbc:postgresql://alice:***@db/app",
            "jdbc:postgresql://db/app                              | jdbc:postgresql://db/app",
    })
    void masksEveryFormOfPassword(String url, String masked) {
        assertEquals(masked, JdbcUrls.mask(url));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db.internal:6432/app?ssl=true | alice | alice@db.internal:6432/app",
            "jdbc:postgresql://db/app                        | alice | alice@db:5432/app",
            "jdbc:postgresql:app                             | alice | alice@localhost:5432/app",
            "jdbc:postgresql:///app                          | bob   | bob@localhost:5432/app",
            "jdbc:postgresql://h1,h2:5433/app                | bob   | bob@h1:5432,h2:5433/app",
            "jdbc:postgresql://[::1]/app                     | bob   | bob@[::1]:5432/app",
            "jdbc:postgresql://[::1]:6000/app                | bob   | bob@[::1]:6000/app",
            "jdbc:postgresql://alice:s3cret@db/app           | alice | alice@db:5432/app",
            "jdbc:mysql://root:s3cret@db:3306/shop?x=1       | root  | root@mysql:db:3306/shop",
            "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1              | ''    | h2:mem:test",
    })
    void poolNamesCarryHostPortDatabaseAndUserOnly(String url, String user, String name) {
        assertEquals(name, JdbcUrls.poolName(url, user));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db/app?ApplicationName=orders&ssl=true&user=a | jdbc:postgresql://db/app?ssl=true&user=a",
            "jdbc:postgresql://db/app?ssl=true&ApplicationName=orders&user=a | jdbc:postgresql://db/app?ssl=true&user=a",
            "jdbc:postgresql://db/app?ssl=true&user=a&ApplicationName=orders | jdbc:postgresql://db/app?ssl=true&user=a",
            "jdbc:postgresql://db/app?ApplicationName=orders                 | jdbc:postgresql://db/app",
            "jdbc:postgresql://db/app?ApplicationName=                       | jdbc:postgresql://db/app",
            "jdbc:postgresql://db/app?ApplicationName=a&ApplicationName=b&x=1 | jdbc:postgresql://db/app?x=1",
            "jdbc:postgresql://db/app?ssl=true                               | jdbc:postgresql://db/app?ssl=true",
            "jdbc:postgresql://db/app                                        | jdbc:postgresql://db/app",
            "jdbc:postgresql://db/app?MyApplicationName=x&ApplicationNameX=y | jdbc:postgresql://db/app?MyApplicationName=x&ApplicationNameX=y",
    })
    void withoutParameterRemovesOnlyThatParameterWhereverItIs(String url, String without) {
        assertEquals(without, JdbcUrls.withoutParameter(url, "ApplicationName"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db/app?ApplicationName=order%20service&ssl=true | order service",
            "jdbc:postgresql://db/app?ssl=true&ApplicationName=order+service   | order service",
            "jdbc:postgresql://db/app?ApplicationName=caf%C3%A9                | café",
            "jdbc:postgresql://db/app?ApplicationName=orders                   | orders",
            "jdbc:postgresql://db/app?ApplicationName=100%                     | 100%",
    })
    void decodedParameterDecodesAsTheDriverDoes(String url, String value) {
        assertEquals(value, JdbcUrls.decodedParameter(url, "ApplicationName"));
    }

    @Test
    void decodedParameterOfAnAbsentParameterIsNull() {
        assertNull(JdbcUrls.decodedParameter("jdbc:postgresql://db/app?ssl=true", "ApplicationName"));
        assertNull(JdbcUrls.decodedParameter("jdbc:postgresql://db/app", "ApplicationName"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db/app?user=orders&ssl=true | orders",
            "jdbc:postgresql://db/app?ssl=true&user=       | ''",
            "jdbc:sqlserver://db;user=orders;encrypt=true  | orders",
            "jdbc:postgresql://db/app?user                 | ",
            "jdbc:postgresql://db/app?User=orders          | ",
            "jdbc:postgresql://db/app?myuser=orders        | ",
            "jdbc:postgresql://db/app                      | ",
    })
    void parameterIsFoundByItsExactNameAfterTheQueryMark(String url, String value) {
        assertEquals(value, JdbcUrls.parameter(url, "user"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db/app?password=x      | true",
            "jdbc:postgresql://db/app?a=1&PASSWORD=x  | true",
            "jdbc:postgresql://db/app?sslpassword=x   | true",
            "jdbc:postgresql://db/app?sslkey=/k.pk8   | false",
            "jdbc:postgresql://db/password            | false",
    })
    void aPasswordParameterIsFoundInAnyCase(String url, boolean found) {
        assertEquals(found, JdbcUrls.hasPasswordParameter(url));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db:5432/app?ssl=true | db:5432",
            "jdbc:postgresql://h1:1,h2:2/app        | h1:1,h2:2",
            "jdbc:postgresql://u:p@db/app           | u:p@db",
            "jdbc:postgresql://u:p;q@db/app         | u:p;q@db",
            "jdbc:postgresql://db?ssl=true          | db",
            "jdbc:postgresql:app                    | ''",
    })
    void authorityIsWhatStandsBetweenTheSlashesAndThePath(String url, String authority) {
        assertEquals(authority, JdbcUrls.authority(url));
    }
}
