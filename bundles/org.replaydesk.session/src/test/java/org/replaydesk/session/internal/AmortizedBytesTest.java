package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AmortizedBytesTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration HORIZON = Duration.ofSeconds(1200);

    @Test
    void aBurstIsSpreadOverTheHorizonAndForgottenAfterIt() {
        AmortizedBytes chunks = new AmortizedBytes();
        chunks.add(T0, 24_000_000);
        assertEquals(20_000, chunks.rate(T0, HORIZON), 1e-9);
        chunks.add(T0.plusSeconds(10), 1_200_000);
        assertEquals(21_000, chunks.rate(T0.plusSeconds(10), HORIZON), 1e-9);
        assertEquals(21_000, chunks.rate(T0.plusSeconds(1200), HORIZON), 1e-9, "exactly one horizon old still counts");
        assertEquals(1_000, chunks.rate(T0.plusSeconds(1201), HORIZON), 1e-9);
        assertEquals(0, chunks.rate(T0.plusSeconds(1211), HORIZON), 0);
    }

    @Test
    void clearForgetsAndZeroIsIgnored() {
        AmortizedBytes chunks = new AmortizedBytes();
        chunks.add(T0, 0);
        assertEquals(0, chunks.rate(T0, HORIZON), 0);
        chunks.add(T0, 5_000);
        chunks.clear();
        assertEquals(0, chunks.rate(T0, HORIZON), 0);
    }
}
