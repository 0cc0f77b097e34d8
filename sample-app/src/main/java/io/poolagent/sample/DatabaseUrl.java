package io.poolagent.sample;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The service's database address: a JDBC URL, or a {@code postgres://user:pass@host:port/db} URL as the
 * Go services use. User and password may also come separately (DB_USER, DB_PASSWORD).
 */
final class DatabaseUrl {

    final String jdbcUrl;
    final String user;
    final String password;

    private DatabaseUrl(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    static DatabaseUrl parse(String url, String user, String password) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is not set: expected jdbc:postgresql://host:port/db"
                    + " or postgres://user:password@host:port/db");
        }
        if (url.startsWith("jdbc:")) {
            return new DatabaseUrl(url, user, password);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("DATABASE_URL has an unknown scheme: expected jdbc:postgresql://"
                    + "host:port/db or postgres://user:password@host:port/db");
        }
        URI uri = URI.create(url);
        String userInfo = uri.getRawUserInfo();
        String urlUser = null;
        String urlPassword = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            urlUser = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            urlPassword = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query;
        return new DatabaseUrl(jdbc, user != null ? user : urlUser, password != null ? password : urlPassword);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
