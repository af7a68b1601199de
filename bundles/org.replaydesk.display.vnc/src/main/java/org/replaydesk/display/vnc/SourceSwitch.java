package org.replaydesk.display.vnc;

import java.time.Duration;

/**
 * What one {@link DisplayService#switchSource} did. The mode-switching policy reports these numbers for every
 * switch: how long the display took to change sources and how much of the screen the viewers had to be sent again.
 *
 * @param from the source before the switch
 * @param to the source after it
 * @param resync time from the request until the new source's full frame was in the relay (connection, handshake and
 *        first full update; near zero when the new source was already connected)
 * @param total time from the request until the viewers' damage was computed (the switch itself)
 * @param changedPixels pixels that differed between the two sources' frames at the switch; only these are sent to
 *        the viewers
 * @param totalPixels pixels of the frame
 */
public record SourceSwitch(DisplaySource from, DisplaySource to, Duration resync, Duration total, long changedPixels,
        long totalPixels) {
}
