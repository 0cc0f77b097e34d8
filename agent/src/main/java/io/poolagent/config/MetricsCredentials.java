package io.poolagent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Basic auth for the metrics endpoint: DB_POOL_METRICS_USER with DB_POOL_METRICS_PASSWORD, or with the file named
 * by DB_POOL_METRICS_PASSWORD_FILE (a mounted Secret). Half a configuration turns the endpoint off rather than
 * leaving it open, and no line ever repeats a password. A class of its own so that the usual JVM, which sets
 * none of the three, never loads the file reading.
 */
final class MetricsCredentials {

    /** The largest secret file read: a password, not a document. */
    static final int MAX_SECRET_BYTES = 4096;

    final String user;
    final String password;

    private MetricsCredentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** The credentials, or null with one problem line and the endpoint off; only when any of the three is set. */
    static MetricsCredentials read(SettingReader in) {
        String user = in.raw(Setting.METRICS_USER);
        String password = in.sources.value(Settings.METRICS_PASSWORD);
        String file = in.raw(Setting.METRICS_PASSWORD_FILE);
        if (file != null && password != null) {
            return refuseEndpoint(in, "set " + Settings.METRICS_PASSWORD + " or " + Settings.METRICS_PASSWORD_FILE
                    + ", not both");
        }
        if (in.sources.passwordExposed() != null) {
            return refuseEndpoint(in, Settings.METRICS_PASSWORD + " was given as " + in.sources.passwordExposed()
                    + ", which ps, jcmd and the JVM's start-up line show: set it in the environment or in "
                    + Settings.METRICS_PASSWORD_FILE);
        }
        if (file != null) {
            try {
                password = readSecret(Paths.get(file));
            } catch (IOException | RuntimeException e) {
                return refuseEndpoint(in, Settings.METRICS_PASSWORD_FILE + "=\"" + file + "\" cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (password == null) {
                return refuseEndpoint(in, Settings.METRICS_PASSWORD_FILE + "=\"" + file + "\" is not a regular file"
                        + " of at most " + MAX_SECRET_BYTES + " bytes");
            }
        }
        if (user == null || user.contains(":")) {
            return refuseEndpoint(in, Settings.METRICS_USER + " must name a user without ':' when a metrics password"
                    + " is set");
        }
        if (password == null || password.isEmpty()) {
            return refuseEndpoint(in, Settings.METRICS_USER + " is set but the password is empty or missing ("
                    + Settings.METRICS_PASSWORD + " or " + Settings.METRICS_PASSWORD_FILE + ")");
        }
        return new MetricsCredentials(user, password);
    }

    /**
     * The file's text without its line end (an editor's or echo's trailing newline), or null when it is no
     * regular file of at most {@link #MAX_SECRET_BYTES}: a FIFO or a device would hang the application's start-up,
     * and a large file is no password.
     */
    private static String readSecret(Path path) throws IOException {
        if (!Files.isRegularFile(path) || Files.size(path) > MAX_SECRET_BYTES) {
            return null;
        }
        String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    private static MetricsCredentials refuseEndpoint(SettingReader in, String why) {
        in.problems.add(why + "; the metrics endpoint stays off rather than open to anyone");
        in.sources.overrule(Settings.METRICS_PORT, "off");
        in.sources.forget(Settings.METRICS_USER); // none of them is in effect
        in.sources.forget(Settings.METRICS_PASSWORD);
        in.sources.forget(Settings.METRICS_PASSWORD_FILE);
        return null;
    }
}
