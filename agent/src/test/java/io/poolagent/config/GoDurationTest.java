package io.poolagent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "300ms, 300000000",
            "90s, 90000000000",
            "5m, 300000000000",
            "1h30m, 5400000000000",
            "1.5h, 5400000000000",
            "2m30.5s, 150500000000",
            "100ns, 100",
            "10us, 10000",
            "10\u00b5s, 10000",
            ".5s, 500000000",
            "1h0m0s, 3600000000000",
    })
    void parsesGoSyntax(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 minutes", "-5m", "1x", "m", ".s", "1.2.3s", "5M", "1h 30m",
            "99999999999999999999h", "3000000h", "0.1ns", "1.5ns", "1..5s"})
    void rejectsWhatGoRejectsAndNegatives(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "5m, 5m", "90s, 1m30s", "1h30m, 1h30m", "300ms, 300ms", "1.5s, 1s500ms", "100ns, 100ns"})
    void formatsShortGoStyleText(String input, String expected) {
        assertEquals(expected, GoDuration.format(GoDuration.parse(input)));
    }
}
