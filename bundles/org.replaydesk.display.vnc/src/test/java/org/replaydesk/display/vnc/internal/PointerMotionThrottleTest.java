package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which pointer events count as input: button changes always, motion at most once per 100 ms slot. */
class PointerMotionThrottleTest {

    private final PointerMotionThrottle throttle = new PointerMotionThrottle();
    private long now = TimeUnit.SECONDS.toNanos(700);

    @Test
    void aFloodOfMotionCountsOncePerHundredMilliseconds() {
        int counted = 0;
        // 1 s of motion at 200 events per second.
        for (int i = 0; i < 200; i++) {
            if (throttle.counts(0, now)) {
                counted++;
            }
            now += TimeUnit.MILLISECONDS.toNanos(5);
        }
        assertEquals(10, counted);
    }

    @Test
    void buttonChangesAlwaysCountEvenWithinOneSlot() {
        assertTrue(throttle.counts(0, now), "first motion of the slot");
        assertTrue(throttle.counts(1, now), "press");
        assertFalse(throttle.counts(1, now), "drag within the slot");
        assertTrue(throttle.counts(0, now), "release");
        assertTrue(throttle.counts(8, now), "wheel down");
        assertTrue(throttle.counts(0, now), "wheel release");
        assertFalse(throttle.counts(0, now), "motion within the slot");
    }

    @Test
    void motionCountsAgainInTheNextSlot() {
        assertTrue(throttle.counts(0, now));
        assertFalse(throttle.counts(0, now + TimeUnit.MILLISECONDS.toNanos(1)));
        long nextSlot = (Math.floorDiv(now, PointerMotionThrottle.SLOT_NANOS) + 1) * PointerMotionThrottle.SLOT_NANOS;
        assertTrue(throttle.counts(0, nextSlot));
        assertFalse(throttle.counts(0, nextSlot + 1));
    }
}
