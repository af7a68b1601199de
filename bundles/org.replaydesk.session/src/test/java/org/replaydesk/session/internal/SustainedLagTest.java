package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SustainedLagTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final SustainedLag lag = new SustainedLag(Duration.ofSeconds(2));

    private Optional<Duration> at(int second, long millis) {
        return lag.add(T0.plusSeconds(second), Optional.of(Duration.ofMillis(millis)));
    }

    @Test
    void spikeAfterQuietReadingsReportsTheQuietOne() {
        at(0, 100);
        at(1, 110);
        assertEquals(Optional.of(Duration.ofMillis(100)), at(2, 640), "readings exactly one span old still count");
    }

    @Test
    void aLagThatLastsTheSpanIsReported() {
        at(0, 100);
        assertEquals(Optional.of(Duration.ofMillis(100)), at(1, 700));
        assertEquals(Optional.of(Duration.ofMillis(100)), at(2, 800));
        // the 100 ms reading is now older than 2 s
        assertEquals(Optional.of(Duration.ofMillis(700)), at(3, 900));
    }

    @Test
    void noReplayerForgetsEverything() {
        at(0, 50);
        assertEquals(Optional.empty(), lag.add(T0.plusSeconds(1), Optional.empty()));
        assertEquals(Optional.of(Duration.ofMillis(900)), at(2, 900));
    }

    @Test
    void theFirstReadingCountsAlone() {
        assertEquals(Optional.of(Duration.ofMillis(600)), at(0, 600));
    }
}
