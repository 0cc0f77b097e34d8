package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolagent.it.apps.StalledReset;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A server process that stops answering (a network partition, a frozen host) never hangs the application. */
@Tag("slow")
class UnansweringServerTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST).role("app", "app-secret");

    @TempDir
    Path tmp;

    @Test
    void aResetThatGetsNoAnswerEndsTheSessionAndCloseReturns() throws Exception {
        Path go = tmp.resolve("go");
        try (ChildJvm.Running app = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "1")
                .env("DB_POOL_RESET_TIMEOUT", "1s")
                .start(StalledReset.class, PG.url(), "app", "app-secret", go.toString())) {
            String backend = app.awaitOutputValue("pid", Duration.ofSeconds(60));
            List<Long> pid = List.of(Long.parseLong(backend));
            PostgresServer.signal("STOP", pid);
            try {
                Files.createFile(go);
                app.awaitOutput("RESULT closed=true", Duration.ofSeconds(60));
            } finally {
                PostgresServer.signal("CONT", pid);
            }
            ChildJvm.Result r = app.finish(Duration.ofSeconds(60));
            assertEquals("true", r.value("nextIsAnotherSession"), "the frozen session was not reused\n" + r);
        }
    }
}
