import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches one file for ./mvnw with the JDK's own HTTP client, so that a machine with only a JDK (no curl,
 * no wget) can build. Run as a single-file program: java Download.java URL FILE.
 */
public final class Download {

    public static void main(String[] args) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofMinutes(5)).build();
        HttpResponse<Path> response = http.send(request, HttpResponse.BodyHandlers.ofFile(Path.of(args[1])));
        if (response.statusCode() != 200) {
            System.err.println("mvnw: " + args[0] + " answered HTTP " + response.statusCode());
            System.exit(1);
        }
    }
}
