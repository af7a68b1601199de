package org.replaydesk.rfb;

/**
 * KeyEvent (client message 4).
 *
 * @param down whether the key was pressed (otherwise released)
 * @param keysym X11 keysym, U32
 */
public record KeyEvent(boolean down, int keysym) implements ClientMessage {
}
