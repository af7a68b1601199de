package org.replaydesk.display.vnc.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Sum of amounts added over a sliding time window, kept in a fixed ring of buckets: {@link #add} is O(1), memory is
 * one ring whatever the traffic, and a bucket older than the window is reset when its slot comes round again.
 *
 * <p>The window is bucket-aligned: {@link #sum()} covers the current (partial) bucket and the {@code buckets - 1}
 * before it. Until the meter has existed for a whole window, {@link #perSecond()} divides by the time covered so far
 * (whole buckets) rather than by the window, so a young meter does not under-report.
 *
 * <p>Thread-safe: one thread usually adds (a viewer's event loop or the upstream reader) while the shell or the
 * policy reads; the methods are synchronized, which costs nothing measurable when uncontended.
 */
final class SlidingWindowMeter {

    private final LongSupplier nanoClock;
    private final long bucketNanos;
    private final long[] counts;
    /** The absolute bucket number each slot holds. */
    private final long[] slots;
    private final long firstBucket;

    /**
     * @param window the window, a multiple of {@code bucket}
     * @param bucket the bucket width
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests pass a fake)
     */
    SlidingWindowMeter(Duration window, Duration bucket, LongSupplier nanoClock) {
        long windowNanos = window.toNanos();
        bucketNanos = bucket.toNanos();
        if (bucketNanos <= 0 || windowNanos < bucketNanos || windowNanos % bucketNanos != 0) {
            throw new IllegalArgumentException("window " + window + " is not a positive multiple of bucket " + bucket);
        }
        int n = Math.toIntExact(windowNanos / bucketNanos);
        this.nanoClock = nanoClock;
        counts = new long[n];
        slots = new long[n];
        firstBucket = bucketOf(nanoClock.getAsLong());
        Arrays.fill(slots, Long.MIN_VALUE);
    }

    private long bucketOf(long nanos) {
        return Math.floorDiv(nanos, bucketNanos);
    }

    /** @param amount what happened now (bytes, frames) */
    synchronized void add(long amount) {
        long bucket = bucketOf(nanoClock.getAsLong());
        int i = (int) Math.floorMod(bucket, (long) counts.length);
        if (slots[i] != bucket) {
            slots[i] = bucket;
            counts[i] = 0;
        }
        counts[i] += amount;
    }

    /**
     * Adds an amount at an earlier time (an aggregate that is only known later); dropped if that time has already
     * left the window.
     *
     * @param amount what happened
     * @param nanos when (the same clock, not after now)
     */
    synchronized void addAt(long amount, long nanos) {
        long bucket = bucketOf(nanos);
        if (bucket <= bucketOf(nanoClock.getAsLong()) - counts.length) {
            return;
        }
        int i = (int) Math.floorMod(bucket, (long) counts.length);
        if (slots[i] > bucket) {
            return; // cannot happen inside the window; kept for safety against a clock that went back
        }
        if (slots[i] != bucket) {
            slots[i] = bucket;
            counts[i] = 0;
        }
        counts[i] += amount;
    }

    /** @return the sum of what was added in the window ending now */
    synchronized long sum() {
        return sum(bucketOf(nanoClock.getAsLong()));
    }

    private long sum(long now) {
        long oldest = now - counts.length + 1;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (slots[i] >= oldest && slots[i] <= now) {
                sum += counts[i];
            }
        }
        return sum;
    }

    /** @return the window's sum per second, over the time the meter has existed if that is shorter than the window */
    synchronized double perSecond() {
        long now = bucketOf(nanoClock.getAsLong());
        long covered = Math.max(1, Math.min(counts.length, now - firstBucket + 1));
        return sum(now) * 1e9 / (covered * bucketNanos);
    }

    /** @return the window length */
    Duration window() {
        return Duration.ofNanos(bucketNanos * counts.length);
    }
}
