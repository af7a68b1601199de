package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.InteractionStats;

/** The interaction meter against a scripted clock: input window, frames after input, damage rates and totals. */
class InteractionMeterTest {

    /** Moved by hand; starts away from 0 so nothing depends on the epoch. */
    private long now = TimeUnit.SECONDS.toNanos(5000);
    private final InteractionMeter meter = new InteractionMeter(() -> now);

    private void advanceMillis(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void inputEventsAreCountedOverTenSecondsAndInTotal() {
        for (int i = 0; i < 15; i++) {
            meter.input();
            advanceMillis(500); // 15 events over 7.5 s
        }
        InteractionStats stats = meter.snapshot(false);
        assertEquals(Duration.ofSeconds(10), stats.inputWindow());
        assertEquals(15, stats.inputEvents());
        assertEquals(15, stats.totalInputEvents());
        advanceMillis(5000); // 12.5 s after the first; the window is whole 100 ms buckets: (2.5 s, 12.5 s]
        stats = meter.snapshot(false);
        assertEquals(9, stats.inputEvents(), "the events at 3.0, 3.5, ... 7.0 s");
        assertEquals(15, stats.totalInputEvents());
        advanceMillis(10_000);
        assertEquals(0, meter.snapshot(false).inputEvents());
        assertEquals(15, meter.snapshot(false).totalInputEvents());
    }

    @Test
    void framesPerSecondAfterInputAveragesTheFramesInTheSecondAfterEachEvent() {
        // Event A, then 20 frames 50 ms apart (the second after A holds all 20).
        meter.input();
        for (int i = 0; i < 20; i++) {
            advanceMillis(50);
            meter.frame(100);
        }
        advanceMillis(2000);
        // Event B, then 4 frames 100 ms apart, then one frame 1.5 s later (outside B's second).
        meter.input();
        for (int i = 0; i < 4; i++) {
            advanceMillis(100);
            meter.frame(100);
        }
        advanceMillis(1100);
        meter.frame(100);
        // A: 20 frames, B: 4 frames -> (20 + 4) / 2 events / 1 s.
        assertEquals(12.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void anEventCountsOnlyOnceItsSecondHasPassed() {
        meter.input();
        advanceMillis(100);
        meter.frame(10);
        advanceMillis(500);
        assertEquals(0.0, meter.snapshot(false).framesPerSecondAfterInput(), "its second is not over yet");
        assertEquals(1, meter.snapshot(false).inputEvents(), "but it is an input event already");
        advanceMillis(400); // exactly 1 s after the event: complete
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void aFrameAtTheEventTimeBelongsToTheSecondBeforeNotAfter() {
        meter.frame(10); // same instant as the event: caused by something earlier
        meter.input();
        advanceMillis(1000);
        meter.frame(10); // exactly one second after: still "after input"
        advanceMillis(1);
        meter.frame(10); // too late
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void withoutInputTheFramesPerSecondAfterInputIsZeroWhateverTheScreenDoes() {
        for (int i = 0; i < 50; i++) {
            meter.frame(1000);
            advanceMillis(20);
        }
        assertEquals(0.0, meter.snapshot(false).framesPerSecondAfterInput());
    }

    @Test
    void eventsThatLeftTheInputWindowNoLongerCountInTheAverage() {
        meter.input();
        advanceMillis(10);
        meter.frame(10);
        meter.frame(10);
        advanceMillis(5000);
        meter.input(); // no frames after this one
        advanceMillis(2000);
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9, "(2 + 0) / 2");
        advanceMillis(4000); // the first event is 11 s old
        assertEquals(0.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9, "0 / 1");
    }

    @Test
    void overlappingSecondsCountTheSameFrameForEachEvent() {
        meter.input();
        advanceMillis(300);
        meter.input();
        advanceMillis(300);
        meter.frame(10); // after both
        advanceMillis(1000);
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void updatesThatChangedNothingAreNeitherFramesNorDamage() {
        meter.input();
        advanceMillis(100);
        meter.frame(0);
        advanceMillis(1000);
        InteractionStats stats = meter.snapshot(false);
        assertEquals(0.0, stats.framesPerSecondAfterInput());
        assertEquals(0, stats.totalDamagedPixels());
    }

    @Test
    void damageIsAveragedOverTwentyAndTwoSecondsAndTotalled() {
        // 10 s of 1000 pixels every 100 ms (one per bucket, the last one now), then 10 s of nothing.
        for (int i = 0; i < 100; i++) {
            if (i > 0) {
                advanceMillis(100);
            }
            meter.frame(1000);
        }
        InteractionStats busy = meter.snapshot(true);
        assertEquals(10_000.0, busy.damagedPixelsPerSecond(), 1e-6, "young meter: over the 10 s it existed");
        assertEquals(10_000.0, busy.shortDamagedPixelsPerSecond(), 1e-6);
        assertEquals(Duration.ofSeconds(20), busy.damageWindow());
        assertEquals(Duration.ofSeconds(2), busy.shortDamageWindow());
        assertTrue(busy.probing());
        advanceMillis(10_000);
        InteractionStats quiet = meter.snapshot(false);
        assertEquals(5_000.0, quiet.damagedPixelsPerSecond(), 1e-6, "100 000 pixels over 20 s");
        assertEquals(0.0, quiet.shortDamagedPixelsPerSecond());
        assertEquals(100_000, quiet.totalDamagedPixels());
        assertFalse(quiet.probing());
    }

    @Test
    void theRingKeepsTheNewestTimesInOrder() {
        InteractionMeter.TimeRing ring = new InteractionMeter.TimeRing(3);
        for (long t = 1; t <= 5; t++) {
            ring.add(t * 10);
        }
        assertEquals(3, ring.size());
        assertArrayEquals(new long[] {30, 40, 50}, ring.between(0, 100));
        assertArrayEquals(new long[] {40}, ring.between(35, 45));
        assertArrayEquals(new long[] {}, ring.between(51, 60));
    }
}
