package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class CounterRateTest {
    private static final long SECOND = 1_000_000_000L;
    private final CounterRate rate = new CounterRate();

    @Test
    void theRateIsTheGrowthPerSecondBetweenReadings() {
        assertTrue(Double.isNaN(rate.rate(OptionalLong.of(1_000), 0)), "first reading");
        assertEquals(500.0, rate.rate(OptionalLong.of(2_000), 2 * SECOND));
        assertEquals(0.0, rate.rate(OptionalLong.of(2_000), 3 * SECOND));
    }

    @Test
    void anUnknownOrShrinkingCounterStartsOver() {
        rate.rate(OptionalLong.of(1_000), 0);
        assertTrue(Double.isNaN(rate.rate(OptionalLong.empty(), SECOND)));
        assertTrue(Double.isNaN(rate.rate(OptionalLong.of(5_000), 2 * SECOND)), "after an unknown reading");
        assertTrue(Double.isNaN(rate.rate(OptionalLong.of(10), 3 * SECOND)), "the VM restarted");
        assertEquals(90.0, rate.rate(OptionalLong.of(100), 4 * SECOND));
    }
}
