package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meter against a fake clock: bucket and window boundaries, expiry, rates, ring reuse. */
class SlidingWindowMeterTest {

    /** A clock the test moves by hand; starts away from 0 so nothing depends on the epoch. */
    private long now = TimeUnit.SECONDS.toNanos(1000);

    private SlidingWindowMeter meter(int windowMillis) {
        return new SlidingWindowMeter(Duration.ofMillis(windowMillis), Duration.ofMillis(100), () -> now);
    }

    private void advanceMillis(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void amountsInTheSameBucketAddUp() {
        SlidingWindowMeter m = meter(1000);
        m.add(10);
        advanceMillis(99);
        m.add(5);
        assertEquals(15, m.sum());
    }

    @Test
    void anAmountStaysForTheWholeWindowAndExpiresExactlyAtItsEnd() {
        SlidingWindowMeter m = meter(1000);
        m.add(7); // in bucket 0 (t = 0 ms)
        advanceMillis(999); // bucket 9: buckets 0..9 are the window
        assertEquals(7, m.sum());
        advanceMillis(1); // bucket 10: bucket 0 left the window
        assertEquals(0, m.sum());
    }

    @Test
    void olderBucketsExpireOneByOne() {
        SlidingWindowMeter m = meter(1000);
        for (int i = 1; i <= 10; i++) {
            m.add(i);
            advanceMillis(100);
        }
        // now in bucket 10: buckets 1..10 remain, holding 2..10
        assertEquals(54, m.sum());
        advanceMillis(500);
        assertEquals(7 + 8 + 9 + 10, m.sum(), "bucket 15: buckets 6..15 remain");
        advanceMillis(500);
        assertEquals(0, m.sum());
    }

    @Test
    void aSlotReusedAfterAGapLongerThanTheWindowStartsFromZero() {
        SlidingWindowMeter m = meter(1000);
        m.add(100);
        advanceMillis(1000 * 7); // the same ring slot, seven rounds later
        m.add(1);
        assertEquals(1, m.sum());
    }

    @Test
    void rateDividesByTheWindowOnceTheMeterIsOlderThanIt() {
        SlidingWindowMeter m = meter(20_000);
        for (int i = 0; i < 400; i++) { // 30 bytes every 100 ms for 40 s
            if (i > 0) {
                advanceMillis(100);
            }
            m.add(30);
        }
        assertEquals(300.0, m.perSecond(), 1e-9);
        advanceMillis(10_000); // silence for half the window
        assertEquals(150.0, m.perSecond(), 1e-9);
    }

    @Test
    void aYoungMeterDividesByTheTimeItHasExisted() {
        SlidingWindowMeter m = meter(20_000);
        m.add(50);
        assertEquals(500.0, m.perSecond(), 1e-9, "50 in the first 100 ms bucket");
        advanceMillis(400);
        m.add(50);
        assertEquals(200.0, m.perSecond(), 1e-9, "100 over 5 buckets");
    }

    @Test
    void theWindowMustBeAMultipleOfTheBucket() {
        assertThrows(IllegalArgumentException.class,
                () -> new SlidingWindowMeter(Duration.ofMillis(150), Duration.ofMillis(100), () -> 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SlidingWindowMeter(Duration.ofMillis(100), Duration.ZERO, () -> 0));
        assertEquals(Duration.ofSeconds(20),
                new SlidingWindowMeter(Duration.ofSeconds(20), Duration.ofMillis(100), () -> 0).window());
    }

    @Test
    void anAmountAddedLaterAtAnEarlierTimeLandsInThatBucketOrIsDroppedWhenItLeftTheWindow() {
        SlidingWindowMeter m = meter(1000);
        long start = now;
        advanceMillis(500);
        m.addAt(4, start + TimeUnit.MILLISECONDS.toNanos(150)); // bucket 1, inside the window (buckets 0..5)
        assertEquals(4, m.sum());
        advanceMillis(550); // bucket 10: buckets 1..10
        assertEquals(4, m.sum());
        advanceMillis(100); // bucket 11: bucket 1 left
        assertEquals(0, m.sum());
        m.addAt(9, start + TimeUnit.MILLISECONDS.toNanos(150)); // too old now: dropped
        assertEquals(0, m.sum());
        m.addAt(2, now);
        assertEquals(2, m.sum());
    }
}
