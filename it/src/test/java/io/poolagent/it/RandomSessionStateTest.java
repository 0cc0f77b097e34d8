package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.RandomSessions;
import io.poolagent.it.apps.ServerCode;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The default reset proved on sequences nobody listed: {@link RandomSessions} draws borrows that change their
 * session every way its grammar knows, directly and through server-side code, and after each sequence the next
 * borrower's session must look exactly like a fresh one. A new seed every build, printed on failure; rerun one
 * with {@code -Dsession.seed=N}; {@code -Dsession.reset=tracked} shows what another mode lets through.
 */
@Tag("slow")
class RandomSessionStateTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST).sql(ServerCode.SETUP);

    private static final int SEQUENCES = 1000;

    @Test
    void afterAnySequenceOfChangesTheNextBorrowerGetsWhatAFreshSessionShows() {
        long seed = Long.getLong("session.seed", System.nanoTime());
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_POOL_RESET", System.getProperty("session.reset", "")) // unset: the default
                .env("DB_MAX_OPEN_CONNS", "1")
                .env("DB_MAX_IDLE_CONNS", "1")
                .env("DB_POOL_ACQUIRE_TIMEOUT", "10s")
                .run(Duration.ofMinutes(5), RandomSessions.class, PG.url(), PostgresServer.SUPERUSER, "",
                        String.valueOf(seed), String.valueOf(SEQUENCES));
        String context = "seed " + seed + " (rerun with -Dsession.seed=" + seed + ")\n" + r;
        assertEquals(0, r.exitCode, context);
        assertEquals(SEQUENCES, r.intValue("sequences"), context);
        assertEquals(0, r.intValue("mismatches"), context);
        // Most draws leave nothing that forces a new session: the reset, not a new session, must have done the work.
        assertTrue(r.intValue("reused") > SEQUENCES / 3, "sessions reused after their reset\n" + context);
    }
}
