package org.replaydesk.display.vnc.internal;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.rfb.Rect;

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
 *
 * <p>Damage is counted per <em>slot</em> of the probe interval (200 ms at 5 probes per second): a pixel changed
 * several times within a slot counts once. A probed source answers about once per slot with the union of what
 * changed in it, while a shown source is polled as fast as it answers (QEMU: up to ~30 updates per second, each
 * with the changes since the previous one); without slots the same animation would report several times more
 * damage when shown than when probed, and the session's bytes per damaged pixel, learnt while the source is shown,
 * would not fit the damage measured in replay mode. The union is kept exactly, per row in 16-pixel columns (the
 * granularity of QEMU's dirty tracking), and added to the windows at the time of the slot's last update once the
 * slot is over.
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
    private final long slotNanos;
    /** Damage of the current slot; under this meter's lock. */
    private final SlotUnion slotDamage = new SlotUnion();
    private long currentSlot = Long.MIN_VALUE;
    private long lastFrameNanos;

    /**
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests script it)
     * @param slot the damage slot: the probe interval
     */
    InteractionMeter(LongSupplier nanoClock, Duration slot) {
        this.nanoClock = nanoClock;
        this.slotNanos = slot.toNanos();
        if (slotNanos <= 0) {
            throw new IllegalArgumentException("damage slot " + slot + " is not positive");
        }
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
     * @param changed the rectangles it changed (after a resize: the whole screen); none: not a frame
     * @param width the framebuffer's width
     * @param height the framebuffer's height
     */
    void frame(List<Rect> changed, int width, int height) {
        boolean any = false;
        for (Rect r : changed) {
            any |= r.width() > 0 && r.height() > 0;
        }
        if (!any) {
            return;
        }
        long now = nanoClock.getAsLong();
        synchronized (slotDamage) {
            long slot = Math.floorDiv(now, slotNanos);
            if (slot != currentSlot || !slotDamage.fits(width, height)) {
                flushSlot();
                currentSlot = slot;
                slotDamage.reset(width, height);
            }
            for (Rect r : changed) {
                slotDamage.add(r);
            }
            lastFrameNanos = now;
        }
        synchronized (frameTimes) {
            frameTimes.add(now);
        }
    }

    /** Adds the slot's damage to the windows and totals; caller holds the slot lock. */
    private void flushSlot() {
        long area = slotDamage.drainArea();
        if (area > 0) {
            damage.addAt(area, lastFrameNanos);
            shortDamage.addAt(area, lastFrameNanos);
            totalDamage.add(area);
        }
    }

    /**
     * @param probing whether the input source is being probed (reported as is)
     * @return the numbers now
     */
    InteractionStats snapshot(boolean probing) {
        long now = nanoClock.getAsLong();
        synchronized (slotDamage) {
            if (Math.floorDiv(now, slotNanos) != currentSlot) {
                flushSlot();
            }
        }
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
     * The union of rectangles on one framebuffer, exact per row at {@link #COLUMN}-pixel columns. Not thread-safe.
     */
    static final class SlotUnion {
        /** Column width: QEMU tracks dirty pixels in 16-pixel runs. */
        static final int COLUMN = 16;
        private int width;
        private int height;
        private int columns;
        private BitSet cells = new BitSet();

        boolean fits(int w, int h) {
            return w == width && h == height;
        }

        /** Forgets the union and sets the framebuffer size. */
        void reset(int w, int h) {
            if (!fits(w, h)) {
                width = w;
                height = h;
                columns = (w + COLUMN - 1) / COLUMN;
                cells = new BitSet(columns * h);
            } else {
                cells.clear();
            }
        }

        void add(Rect r) {
            Rect c = DamageRegion.clip(r, width, height);
            if (c == null) {
                return;
            }
            int first = c.x() / COLUMN;
            int end = (c.x() + c.width() + COLUMN - 1) / COLUMN;
            for (int row = c.y(); row < c.y() + c.height(); row++) {
                cells.set(row * columns + first, row * columns + end);
            }
        }

        /** @return the pixels covered (a partial last column counts its real width), and forgets them */
        long drainArea() {
            long area = (long) cells.cardinality() * COLUMN;
            int lastWidth = width - (columns - 1) * COLUMN;
            if (lastWidth < COLUMN) {
                for (int row = 0; row < height; row++) {
                    if (cells.get(row * columns + columns - 1)) {
                        area -= COLUMN - lastWidth;
                    }
                }
            }
            cells.clear();
            return area;
        }
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
