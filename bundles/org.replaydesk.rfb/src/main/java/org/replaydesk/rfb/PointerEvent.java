package org.replaydesk.rfb;

/**
 * PointerEvent (client message 5).
 *
 * @param buttonMask bit n set while button n+1 is down (bits 3/4 are the wheel)
 * @param x pointer x, U16
 * @param y pointer y, U16
 */
public record PointerEvent(int buttonMask, int x, int y) implements ClientMessage {
}
