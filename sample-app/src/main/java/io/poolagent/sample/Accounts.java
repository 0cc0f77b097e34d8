package io.poolagent.sample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Registration and login, one connection per step as in the Go auth-service: register opens three (does
 * the e-mail exist; insert the user and its first session in one transaction; record the registration in
 * the audit log), login two (find the user, create a session).
 */
final class Accounts {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;

    Accounts(Database db) {
        this.db = db;
    }

    void createSchema() throws SQLException {
        try (Connection c = db.open(); Statement s = c.createStatement()) {
            s.execute("create table if not exists users (id bigserial primary key, email text unique not null,"
                    + " password_hash text not null, salt text not null, created_at timestamptz default now())");
            s.execute("create table if not exists sessions (token text primary key,"
                    + " user_id bigint not null references users(id), created_at timestamptz default now())");
            s.execute("create table if not exists audit_log (id bigserial primary key, user_id bigint not null,"
                    + " event text not null, at timestamptz default now())");
        }
    }

    /** Returns a session token, or null when the e-mail is taken. The user and its session commit together. */
    String register(String email, String password) throws SQLException {
        try (Connection c = db.open();
             PreparedStatement exists = c.prepareStatement("select 1 from users where email = ?")) {
            exists.setString(1, email);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return null;
                }
            }
        }
        String salt = token();
        String token = token();
        long userId;
        try (Connection c = db.open()) {
            c.setAutoCommit(false);
            try (PreparedStatement user = c.prepareStatement(
                         "insert into users (email, password_hash, salt) values (?, ?, ?) returning id");
                 PreparedStatement session = c.prepareStatement("insert into sessions (token, user_id) values (?, ?)")) {
                user.setString(1, email);
                user.setString(2, hash(password, salt));
                user.setString(3, salt);
                try (ResultSet rs = user.executeQuery()) {
                    rs.next();
                    userId = rs.getLong(1);
                }
                session.setString(1, token);
                session.setLong(2, userId);
                session.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
        try (Connection c = db.open();
             PreparedStatement audit = c.prepareStatement("insert into audit_log (user_id, event) values (?, 'registered')")) {
            audit.setLong(1, userId);
            audit.executeUpdate();
        }
        return token;
    }

    private static void rollbackQuietly(Connection c, SQLException cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Returns a session token, or null when the e-mail or password is wrong. */
    String login(String email, String password) throws SQLException {
        long userId;
        try (Connection c = db.open();
             PreparedStatement find = c.prepareStatement("select id, password_hash, salt from users where email = ?")) {
            find.setString(1, email);
            try (ResultSet rs = find.executeQuery()) {
                if (!rs.next() || !rs.getString(2).equals(hash(password, rs.getString(3)))) {
                    return null;
                }
                userId = rs.getLong(1);
            }
        }
        return createSession(userId);
    }

    private String createSession(long userId) throws SQLException {
        String token = token();
        try (Connection c = db.open();
             PreparedStatement insert = c.prepareStatement("insert into sessions (token, user_id) values (?, ?)")) {
            insert.setString(1, token);
            insert.setLong(2, userId);
            insert.executeUpdate();
        }
        return token;
    }

    /** Salted SHA-256: enough for a demo's load profile; a real service would use a slow KDF (bcrypt, argon2). */
    private static String hash(String password, String salt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest((salt + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
