package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.demo.Demo;
import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.load.LoadResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's main job, shortened: the naive service melts down, the same service with the agent does not. */
class DemoTest {

    @Test
    void withoutTheAgentTheServiceHits53300AndWithItEveryRequestSucceeds() throws Exception {
        List<LoadResult> results = Demo.run(150, Duration.ofSeconds(8), false);
        String summary = LoadGenerator.summary(results);
        System.out.println(summary);
        LoadResult without = results.get(0);
        LoadResult with = results.get(1);

        assertTrue(without.sqlstate53300 > 0, "the naive service must exhaust the server\n" + summary);
        assertTrue(with.requests > 0, summary);
        assertEquals(0, with.failed, summary);
        assertEquals(0, with.sqlstate53300, summary);
        assertTrue(with.peakBackends <= Demo.MAX_OPEN, summary);
    }
}
