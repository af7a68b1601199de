package org.replaydesk.rfb;

/**
 * A rectangle in framebuffer coordinates, as carried by the protocol (every field an unsigned 16-bit value).
 *
 * @param x left edge
 * @param y top edge
 * @param width width in pixels
 * @param height height in pixels
 */
public record Rect(int x, int y, int width, int height) {

    /** Rejects values that cannot be written as U16, so that a bad rectangle fails where it is created. */
    public Rect {
        checkU16("x", x);
        checkU16("y", y);
        checkU16("width", width);
        checkU16("height", height);
    }

    private static void checkU16(String field, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("rectangle " + field + " " + value + " is not a U16");
        }
    }

    /** @return number of pixels, as a long because 65535 x 65535 overflows an int */
    public long area() {
        return (long) width * height;
    }

    /**
     * @param fbWidth framebuffer width
     * @param fbHeight framebuffer height
     * @return whether the rectangle lies completely inside a framebuffer of that size
     */
    public boolean fitsIn(int fbWidth, int fbHeight) {
        return x + width <= fbWidth && y + height <= fbHeight;
    }
}
