package org.replaydesk.display.vnc;

import java.time.Duration;

/** TEMPORARY stand-in until the display helper's branch is merged (not committed). */
public record InteractionStats(Duration inputWindow, int inputEvents, double framesPerSecondAfterInput,
        Duration damageWindow, double damagedPixelsPerSecond, double shortDamagedPixelsPerSecond,
        long totalDamagedPixels, long totalInputEvents, boolean probing) {
}
