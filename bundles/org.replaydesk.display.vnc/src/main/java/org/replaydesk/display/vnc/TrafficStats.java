package org.replaydesk.display.vnc;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of the RFB traffic of one viewer, or of a whole display (the sum over its viewers plus what the relay
 * receives from the VM's own VNC server). Rates are averages over a sliding window ({@link #window()}, 20 s by
 * default) and over a short one ({@link #shortWindow()}, 1 s) that reacts quickly to bursts; while the meter is
 * younger than a window, the rate is over the time it has existed. A frame is one FramebufferUpdate message.
 *
 * <p>Bytes are the encoded FramebufferUpdate bytes as written to the viewer's connection (headers included), so they
 * reflect the encoding the viewer chose; handshake and other messages are not counted.
 *
 * @param window the long window the main rates are averaged over
 * @param bytesPerSecond FramebufferUpdate bytes per second sent to viewers over {@code window}
 * @param framesPerSecond FramebufferUpdates per second sent to viewers over {@code window}
 * @param shortWindow the short window
 * @param shortBytesPerSecond bytes per second over {@code shortWindow}
 * @param shortFramesPerSecond FramebufferUpdates per second over {@code shortWindow}
 * @param totalBytes FramebufferUpdate bytes sent since the viewer connected (for a display: of the viewers connected
 *        now)
 * @param totalFrames FramebufferUpdates sent since the viewer connected (for a display: of the viewers connected
 *        now)
 * @param bytesByEncoding {@code totalBytes} split by the pixel encoding of the updates ("Raw", "Hextile", "ZRLE",
 *        "Tight", ...), sorted by name
 * @param upstreamBytesPerSecond bytes per second received from the VM's VNC server over {@code window}; 0 in a
 *        viewer's stats
 * @param upstreamUpdatesPerSecond FramebufferUpdates per second received from the VM's VNC server over
 *        {@code window}; 0 in a viewer's stats
 */
public record TrafficStats(Duration window, double bytesPerSecond, double framesPerSecond, Duration shortWindow,
        double shortBytesPerSecond, double shortFramesPerSecond, long totalBytes, long totalFrames,
        Map<String, Long> bytesByEncoding, double upstreamBytesPerSecond, double upstreamUpdatesPerSecond) {

    /**
     * Checks the arguments and keeps an unmodifiable copy of {@code bytesByEncoding}, sorted by encoding name.
     */
    public TrafficStats {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(shortWindow, "shortWindow");
        bytesByEncoding = Collections.unmodifiableMap(new TreeMap<>(bytesByEncoding));
    }
}
