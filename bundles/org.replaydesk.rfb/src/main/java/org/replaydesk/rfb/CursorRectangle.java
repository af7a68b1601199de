package org.replaydesk.rfb;

import java.util.Arrays;

/**
 * A Cursor pseudo-encoding rectangle (-239): the pointer shape the client draws locally.
 *
 * <p>On the wire: width x height pixels in the client's pixel format, then a bitmask of ((width + 7) / 8) bytes per
 * row, most significant bit first, where 1 means the pixel is part of the cursor.
 *
 * @param hotspotX header x: hotspot column
 * @param hotspotY header y: hotspot row
 * @param width cursor width
 * @param height cursor height
 * @param pixels width x height 0x00RRGGBB pixels (copied in and out)
 * @param bitmask ((width + 7) / 8) * height bytes (copied in and out)
 */
public record CursorRectangle(int hotspotX, int hotspotY, int width, int height, int[] pixels, byte[] bitmask)
        implements UpdateRectangle {

    /** Checks the array sizes and takes private copies. */
    public CursorRectangle {
        if (pixels.length != width * height || bitmask.length != maskLength(width, height)) {
            throw new IllegalArgumentException("cursor " + width + "x" + height + " needs " + width * height
                    + " pixels and " + maskLength(width, height) + " mask bytes");
        }
        pixels = pixels.clone();
        bitmask = bitmask.clone();
    }

    /**
     * @param width cursor width
     * @param height cursor height
     * @return size of the bitmask in bytes
     */
    public static int maskLength(int width, int height) {
        return (width + 7) / 8 * height;
    }

    @Override
    public int[] pixels() {
        return pixels.clone();
    }

    @Override
    public byte[] bitmask() {
        return bitmask.clone();
    }

    @Override
    public Rect rect() {
        return new Rect(hotspotX, hotspotY, width, height);
    }

    @Override
    public int encoding() {
        return Encodings.CURSOR;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CursorRectangle other && hotspotX == other.hotspotX && hotspotY == other.hotspotY
                && width == other.width && height == other.height && Arrays.equals(pixels, other.pixels)
                && Arrays.equals(bitmask, other.bitmask);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pixels) * 31 + Arrays.hashCode(bitmask);
    }

    @Override
    public String toString() {
        return "CursorRectangle[hotspot=" + hotspotX + "," + hotspotY + ", " + width + "x" + height + "]";
    }
}
