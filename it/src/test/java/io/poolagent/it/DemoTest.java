package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.demo.Demo;
import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.load.LoadResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The main job, shortened: the naive service runs the server out of sessions, the same service with the agent
 * does not. Each side is judged by what holds on any machine, fast or slow: how many requests get through
 * depends on the machine's speed, whether the server's limit is reached or every request succeeds does not.
 */
@Tag("slow")
class DemoTest {

    @Test
    void withoutTheAgentTheServerRunsOutOfSessionsAndWithItEveryRequestSucceeds() throws Exception {
        List<LoadResult> results = Demo.run(150, Duration.ofSeconds(8), false);
        String summary = LoadGenerator.summary(results) + Demo.limitLine();
        System.out.println(summary);
        LoadResult without = results.get(0);
        LoadResult with = results.get(1);

        assertTrue(without.sqlstate53300 > 0 || without.peakBackends >= Demo.APPLICATION_LIMIT,
                "the naive service must take every session the server admits, or be refused with 53300\n" + summary);
        assertTrue(with.requests > 0, summary);
        assertEquals(0, with.failed, summary);
        assertTrue(with.peakBackends <= Demo.MAX_OPEN, summary);
        assertTrue(with.succeededPerSecond() >= without.succeededPerSecond(),
                "the pooled service serves at least as many requests as the naive one\n" + summary);
    }
}
