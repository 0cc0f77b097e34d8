package io.poolagent.session;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

class ForwardingSourcesTest {

    @Test
    void theCheckedInForwardingClassesAreWhatTheGeneratorWrites() throws Exception {
        for (ForwardingSources.Forwarding forwarding : ForwardingSources.ALL) {
            String file = ForwardingSources.DIRECTORY + "/" + forwarding.name + ".java";
            Path checkedIn = Path.of("..", file); // the tests run in agent/, the generator from the root
            List<String> expected = forwarding.source().lines().collect(Collectors.toList());
            List<String> actual = Files.exists(checkedIn) ? Files.readAllLines(checkedIn) : List.of();
            int line = 0;
            while (line < expected.size() && line < actual.size() && expected.get(line).equals(actual.get(line))) {
                line++;
            }
            if (line < expected.size() || line < actual.size()) {
                fail(file + " is not what ForwardingSources writes (edited by hand, or the generator changed), from"
                        + " line " + (line + 1) + ": expected " + quoted(expected, line) + ", found "
                        + quoted(actual, line) + ". From the repository's root, run: " + ForwardingSources.COMMAND);
            }
        }
    }

    private static String quoted(List<String> lines, int index) {
        return index < lines.size() ? "\"" + lines.get(index).strip() + "\"" : "the end of the file";
    }
}
