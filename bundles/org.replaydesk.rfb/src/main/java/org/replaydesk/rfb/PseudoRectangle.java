package org.replaydesk.rfb;

/**
 * A rectangle whose pseudo-encoding carries no payload: DesktopSize (width/height = new framebuffer size),
 * LastRect (all zero), QEMU extended key event acknowledgement, QEMU pointer motion change (x = absolute flag).
 *
 * @param rect header fields as the pseudo-encoding defines them
 * @param encoding the pseudo-encoding number
 */
public record PseudoRectangle(Rect rect, int encoding) implements UpdateRectangle {

    /**
     * @param width new framebuffer width
     * @param height new framebuffer height
     * @return a DesktopSize rectangle
     */
    public static PseudoRectangle desktopSize(int width, int height) {
        return new PseudoRectangle(new Rect(0, 0, width, height), Encodings.DESKTOP_SIZE);
    }

    /** @return a LastRect rectangle (ends an update sent with count 0xFFFF) */
    public static PseudoRectangle lastRect() {
        return new PseudoRectangle(new Rect(0, 0, 0, 0), Encodings.LAST_RECT);
    }

    /** @return the rectangle that tells a client the server understands QEMU extended key events */
    public static PseudoRectangle qemuExtendedKeyEventAck() {
        return new PseudoRectangle(new Rect(0, 0, 0, 0), Encodings.QEMU_EXTENDED_KEY_EVENT);
    }
}
