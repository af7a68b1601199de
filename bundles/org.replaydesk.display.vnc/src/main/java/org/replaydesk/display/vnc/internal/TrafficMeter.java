package org.replaydesk.display.vnc.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.rfb.Encodings;

/**
 * What one viewer was sent: FramebufferUpdate bytes and count over the long and the short sliding window, totals, and
 * bytes per pixel encoding. Written on the viewer's event loop, read from any thread.
 */
final class TrafficMeter {

    /** The window the main rates are averaged over. */
    static final Duration WINDOW = Duration.ofSeconds(20);
    /** The window of the quickly reacting rates. */
    static final Duration SHORT_WINDOW = Duration.ofSeconds(1);
    /** Bucket width of every window: rates move in steps of at most this much time. */
    static final Duration BUCKET = Duration.ofMillis(100);

    private final SlidingWindowMeter bytes;
    private final SlidingWindowMeter frames;
    private final SlidingWindowMeter shortBytes;
    private final SlidingWindowMeter shortFrames;
    private final LongAdder totalBytes = new LongAdder();
    private final LongAdder totalFrames = new LongAdder();
    private final Map<String, LongAdder> byEncoding = new ConcurrentHashMap<>();

    /** @param nanoClock monotonic nanoseconds */
    TrafficMeter(LongSupplier nanoClock) {
        bytes = new SlidingWindowMeter(WINDOW, BUCKET, nanoClock);
        frames = new SlidingWindowMeter(WINDOW, BUCKET, nanoClock);
        shortBytes = new SlidingWindowMeter(SHORT_WINDOW, BUCKET, nanoClock);
        shortFrames = new SlidingWindowMeter(SHORT_WINDOW, BUCKET, nanoClock);
    }

    /**
     * Counts one FramebufferUpdate written to the viewer.
     *
     * @param encoding the pixel encoding of its rectangles
     * @param length its encoded length in bytes
     */
    void frame(int encoding, long length) {
        bytes.add(length);
        shortBytes.add(length);
        frames.add(1);
        shortFrames.add(1);
        totalBytes.add(length);
        totalFrames.increment();
        byEncoding.computeIfAbsent(encodingName(encoding), k -> new LongAdder()).add(length);
    }

    /** @return the viewer's stats (no upstream rates) */
    TrafficStats snapshot() {
        Map<String, Long> split = new HashMap<>();
        byEncoding.forEach((name, n) -> split.put(name, n.sum()));
        return new TrafficStats(WINDOW, bytes.perSecond(), frames.perSecond(), SHORT_WINDOW, shortBytes.perSecond(),
                shortFrames.perSecond(), totalBytes.sum(), totalFrames.sum(), split, 0, 0);
    }

    /** @return "Raw", "ZRLE", ... without the number {@link Encodings#name} appends */
    static String encodingName(int encoding) {
        String name = Encodings.name(encoding);
        int paren = name.lastIndexOf('(');
        return paren > 0 ? name.substring(0, paren) : name;
    }
}
