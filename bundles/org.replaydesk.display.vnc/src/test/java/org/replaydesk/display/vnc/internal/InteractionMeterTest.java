package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.rfb.Rect;

/** The interaction meter against a scripted clock: input window, frames after input, damage rates and totals. */
class InteractionMeterTest {

    /** Moved by hand; starts away from 0 so nothing depends on the epoch. */
    private long now = TimeUnit.SECONDS.toNanos(5000);
    private final InteractionMeter meter = new InteractionMeter(() -> now, Duration.ofMillis(200));

    private void advanceMillis(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** An update of a 640x480 screen that changed one rectangle. */
    private static void frame(InteractionMeter m, int x, int y, int w, int h) {
        m.frame(List.of(new Rect(x, y, w, h)), 640, 480);
    }

    private void frame() {
        frame(meter, 0, 0, 16, 16);
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
            frame();
        }
        advanceMillis(2000);
        // Event B, then 4 frames 100 ms apart, then one frame 1.5 s later (outside B's second).
        meter.input();
        for (int i = 0; i < 4; i++) {
            advanceMillis(100);
            frame();
        }
        advanceMillis(1100);
        frame();
        // A: 20 frames, B: 4 frames -> (20 + 4) / 2 events / 1 s.
        assertEquals(12.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void anEventCountsOnlyOnceItsSecondHasPassed() {
        meter.input();
        advanceMillis(100);
        frame();
        advanceMillis(500);
        assertEquals(0.0, meter.snapshot(false).framesPerSecondAfterInput(), "its second is not over yet");
        assertEquals(1, meter.snapshot(false).inputEvents(), "but it is an input event already");
        advanceMillis(400); // exactly 1 s after the event: complete
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void aFrameAtTheEventTimeBelongsToTheSecondBeforeNotAfter() {
        frame(); // same instant as the event: caused by something earlier
        meter.input();
        advanceMillis(1000);
        frame(); // exactly one second after: still "after input"
        advanceMillis(1);
        frame(); // too late
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void withoutInputTheFramesPerSecondAfterInputIsZeroWhateverTheScreenDoes() {
        for (int i = 0; i < 50; i++) {
            frame();
            advanceMillis(20);
        }
        assertEquals(0.0, meter.snapshot(false).framesPerSecondAfterInput());
    }

    @Test
    void eventsThatLeftTheInputWindowNoLongerCountInTheAverage() {
        meter.input();
        advanceMillis(10);
        frame();
        frame();
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
        frame(); // after both
        advanceMillis(1000);
        assertEquals(1.0, meter.snapshot(false).framesPerSecondAfterInput(), 1e-9);
    }

    @Test
    void updatesThatChangedNothingAreNeitherFramesNorDamage() {
        meter.input();
        advanceMillis(100);
        meter.frame(List.of(new Rect(5, 5, 0, 0)), 640, 480);
        meter.frame(List.of(), 640, 480);
        advanceMillis(1000);
        InteractionStats stats = meter.snapshot(false);
        assertEquals(0.0, stats.framesPerSecondAfterInput());
        assertEquals(0, stats.totalDamagedPixels());
    }

    @Test
    void damageIsAveragedOverTwentyAndTwoSecondsAndTotalledOnceItsSlotIsOver() {
        // 50 updates of 16x100 pixels, one in the middle of each 200 ms slot: t = 0.1, 0.3, ... 9.9 s.
        for (int i = 0; i < 50; i++) {
            advanceMillis(i == 0 ? 100 : 200);
            frame(meter, 32, 32, 16, 100);
        }
        assertEquals(78_400, meter.snapshot(false).totalDamagedPixels(), "the slot at 9.8-10 s is not over");
        advanceMillis(100); // t = 10 s
        InteractionStats busy = meter.snapshot(true);
        assertEquals(80_000, busy.totalDamagedPixels());
        assertEquals(80_000 / 10.1, busy.damagedPixelsPerSecond(), 1e-6, "young meter: 101 buckets of 100 ms");
        assertEquals(16_000 / 2.0, busy.shortDamagedPixelsPerSecond(), 1e-6, "the updates at 8.1 ... 9.9 s");
        assertEquals(Duration.ofSeconds(20), busy.damageWindow());
        assertEquals(Duration.ofSeconds(2), busy.shortDamageWindow());
        assertTrue(busy.probing());
        advanceMillis(10_000); // t = 20 s: the window is 0.1-20 s
        InteractionStats quiet = meter.snapshot(false);
        assertEquals(80_000 / 20.0, quiet.damagedPixelsPerSecond(), 1e-6);
        assertEquals(0.0, quiet.shortDamagedPixelsPerSecond());
        assertEquals(80_000, quiet.totalDamagedPixels());
        assertFalse(quiet.probing());
    }

    @Test
    void aSourcePolledAtFullRateAndOneProbedFiveTimesASecondReportTheSameDamage() {
        long start = now;
        InteractionMeter shown = new InteractionMeter(() -> now, Duration.ofMillis(200));
        InteractionMeter probed = new InteractionMeter(() -> now, Duration.ofMillis(200));
        // An animated 160x160 square for 4 s: 25 updates a second when shown, 5 (each the union) when probed.
        for (int tick = 0; tick < 100; tick++) {
            frame(shown, 96, 96, 160, 160);
            if (tick % 5 == 0) {
                frame(probed, 96, 96, 160, 160);
            }
            advanceMillis(40);
        }
        assertEquals(4.0, (now - start) / 1e9, 1e-9);
        InteractionStats a = shown.snapshot(false);
        InteractionStats b = probed.snapshot(true);
        assertEquals(20 * 160 * 160, a.totalDamagedPixels(), "one union per slot, 20 slots");
        assertEquals(a.totalDamagedPixels(), b.totalDamagedPixels());
        assertEquals(a.damagedPixelsPerSecond(), b.damagedPixelsPerSecond(), 1e-9);
    }

    @Test
    void aSlotCountsTheUnionOfItsRectanglesInSixteenPixelColumns() {
        frame(meter, 0, 0, 32, 10);
        frame(meter, 16, 0, 32, 10); // overlaps the first by one column
        frame(meter, 3, 20, 2, 1); // inside one column: counts the column
        advanceMillis(200);
        assertEquals(48 * 10 + 16, meter.snapshot(false).totalDamagedPixels());
        // A screen whose width is no multiple of 16: the last column counts its real 10 pixels.
        meter.frame(List.of(new Rect(640, 0, 10, 5), new Rect(608, 470, 100, 100)), 650, 480);
        advanceMillis(200);
        assertEquals(48 * 10 + 16 + 50 + 42 * 10, meter.snapshot(false).totalDamagedPixels(),
                "the second rectangle is clipped to 608-650 x 470-480");
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
