package org.replaydesk.display.vnc.internal;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.InteractionStats;

/**
 * Counts one display's input events and its input source's frames and damage, and turns them into
 * {@link InteractionStats}. Input events come from the viewers' event loops (already throttled by each viewer's
 * {@link PointerMotionThrottle}), frames from the input source's reader thread; snapshots from any thread.
 *
 * <p>Frames per second after input: for every input event of the window whose following second has passed, the
 * frames in that second are counted, and the counts are averaged. Events of the last second are left out until
 * their second is complete, because a partial second would under-count the frames that are still coming. The times
 * of recent events and frames are kept in two bounded rings ({@link #RING}); when input or frames come faster than
 * a ring holds for the window, the oldest are dropped and the average is over the events still held.
 */
final class InteractionMeter {

    /** Window of the input count and of the frames-after-input average (Snowbird's 10 s). */
    static final Duration INPUT_WINDOW = Duration.ofSeconds(10);
    /** How long after an input event its frames are counted. */
    static final Duration AFTER_INPUT = Duration.ofSeconds(1);
    /** Long damage window, the same as the traffic meters' so the two rates can be compared. */
    static final Duration DAMAGE_WINDOW = TrafficMeter.WINDOW;
    /** Short damage window: reacts within two seconds to a screen starting or stopping to change. */
    static final Duration SHORT_DAMAGE_WINDOW = Duration.ofSeconds(2);
    /** Times kept per ring: 11 s of 10 counted events per second per viewer, or of frames at 60 fps, fit easily. */
    static final int RING = 4096;

    private final LongSupplier nanoClock;
    private final SlidingWindowMeter inputs;
    private final SlidingWindowMeter damage;
    private final SlidingWindowMeter shortDamage;
    private final LongAdder totalInputs = new LongAdder();
    private final LongAdder totalDamage = new LongAdder();
    private final TimeRing inputTimes = new TimeRing(RING);
    private final TimeRing frameTimes = new TimeRing(RING);

    /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests script it) */
    InteractionMeter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        inputs = new SlidingWindowMeter(INPUT_WINDOW, TrafficMeter.BUCKET, nanoClock);
        damage = new SlidingWindowMeter(DAMAGE_WINDOW, TrafficMeter.BUCKET, nanoClock);
        shortDamage = new SlidingWindowMeter(SHORT_DAMAGE_WINDOW, TrafficMeter.BUCKET, nanoClock);
    }

    /** One counted input event, now. */
    void input() {
        long now = nanoClock.getAsLong();
        inputs.add(1);
        totalInputs.increment();
        synchronized (inputTimes) {
            inputTimes.add(now);
        }
    }

    /**
     * One FramebufferUpdate of the input source, now.
     *
     * @param damagedPixels pixels it changed; an update that changed none is not a frame
     */
    void frame(long damagedPixels) {
        if (damagedPixels <= 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        damage.add(damagedPixels);
        shortDamage.add(damagedPixels);
        totalDamage.add(damagedPixels);
        synchronized (frameTimes) {
            frameTimes.add(now);
        }
    }

    /**
     * @param probing whether the input source is being probed (reported as is)
     * @return the numbers now
     */
    InteractionStats snapshot(boolean probing) {
        long now = nanoClock.getAsLong();
        return new InteractionStats(INPUT_WINDOW, (int) inputs.sum(), framesPerSecondAfterInput(now),
                DAMAGE_WINDOW, damage.perSecond(), SHORT_DAMAGE_WINDOW, shortDamage.perSecond(), totalDamage.sum(),
                totalInputs.sum(), probing);
    }

    private double framesPerSecondAfterInput(long now) {
        long after = AFTER_INPUT.toNanos();
        long windowStart = now - INPUT_WINDOW.toNanos();
        long lastComplete = now - after;
        long[] events;
        synchronized (inputTimes) {
            events = inputTimes.between(windowStart, lastComplete);
        }
        if (events.length == 0) {
            return 0;
        }
        long[] frames;
        synchronized (frameTimes) {
            frames = frameTimes.between(events[0], events[events.length - 1] + after);
        }
        // Both arrays are sorted: two cursors give each event's frames in (t, t + 1 s] in one pass.
        long sum = 0;
        int from = 0;
        int to = 0;
        for (long t : events) {
            while (from < frames.length && frames[from] <= t) {
                from++;
            }
            to = Math.max(to, from);
            while (to < frames.length && frames[to] <= t + after) {
                to++;
            }
            sum += to - from;
        }
        return sum / (double) events.length / (after / 1e9);
    }

    /**
     * Monotonic times in a fixed ring, oldest first; when full, adding drops the oldest. Not thread-safe (the meter
     * locks it).
     */
    static final class TimeRing {
        private final long[] times;
        private int start;
        private int size;

        TimeRing(int capacity) {
            times = new long[capacity];
        }

        void add(long time) {
            if (size == times.length) {
                times[start] = time;
                start = (start + 1) % times.length;
            } else {
                times[(start + size) % times.length] = time;
                size++;
            }
        }

        /** @return the times t with {@code from <= t <= to}, oldest first */
        long[] between(long from, long to) {
            int first = 0;
            while (first < size && times[(start + first) % times.length] < from) {
                first++;
            }
            int last = first;
            while (last < size && times[(start + last) % times.length] <= to) {
                last++;
            }
            long[] out = new long[last - first];
            for (int i = first; i < last; i++) {
                out[i - first] = times[(start + i) % times.length];
            }
            return out;
        }

        int size() {
            return size;
        }
    }
}
