import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Fetches one file for ./mvnw with the JDK's own HTTP client and checks its SHA-512, so that a machine with only
 * a JDK (no curl, no wget, no sha512sum) can build. Run as a single-file program:
 * java Download.java URL FILE SHA512. Exits 1, with one line saying why, when the file cannot be had intact.
 */
public final class Download {

    public static void main(String[] args) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofMinutes(5)).build();
        Path file = Path.of(args[1]);
        HttpResponse<Path> response = http.send(request, HttpResponse.BodyHandlers.ofFile(file));
        if (response.statusCode() != 200) {
            fail(args[0] + " answered HTTP " + response.statusCode());
        }
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha512.update(buffer, 0, n);
            }
        }
        if (!HexFormat.of().formatHex(sha512.digest()).equalsIgnoreCase(args[2])) {
            fail(args[0] + " does not match the SHA-512 in .mvn/wrapper/maven-wrapper.properties; not using it");
        }
    }

    private static void fail(String why) {
        System.err.println("mvnw: " + why);
        System.exit(1);
    }
}
