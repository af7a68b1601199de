package org.replaydesk.rfb;

import java.util.Objects;

/**
 * A rectangle of pixels sent with a pixel encoding (Raw, Hextile, ZRLE, Tight ...).
 *
 * <p>Pixels are 0x00RRGGBB ints, whatever the client's pixel format: conversion happens in the encoder and decoder.
 * To avoid copying a whole screen per update, the rectangle may view a region of a larger framebuffer array
 * ({@link #of}); the array is shared, not copied, so the caller must not change that region until the update has
 * been written (or use {@link #copyOf}). Equality compares the encoding, the rectangle and the pixel values.
 */
public final class PixelRectangle implements UpdateRectangle {

    private final Rect rect;
    private final int encoding;
    private final int[] pixels;
    private final int offset;
    private final int stride;

    private PixelRectangle(Rect rect, int encoding, int[] pixels, int offset, int stride) {
        if (stride < rect.width() || (rect.height() > 0 && offset + (long) (rect.height() - 1) * stride
                + rect.width() > pixels.length)) {
            throw new IllegalArgumentException("pixel array too small for " + rect + " at offset " + offset
                    + " stride " + stride);
        }
        this.rect = rect;
        this.encoding = encoding;
        this.pixels = pixels;
        this.offset = offset;
        this.stride = stride;
    }

    /**
     * Views the region {@code rect} of a framebuffer without copying.
     *
     * @param encoding pixel encoding to send it with
     * @param rect region, in framebuffer coordinates
     * @param framebuffer 0x00RRGGBB pixels, row-major
     * @param framebufferStride ints per framebuffer row
     * @return the rectangle
     */
    public static PixelRectangle of(int encoding, Rect rect, int[] framebuffer, int framebufferStride) {
        return new PixelRectangle(rect, encoding, framebuffer, rect.y() * framebufferStride + rect.x(),
                framebufferStride);
    }

    /**
     * Copies the region {@code rect} of a framebuffer.
     *
     * @param encoding pixel encoding to send it with
     * @param rect region, in framebuffer coordinates
     * @param framebuffer 0x00RRGGBB pixels, row-major
     * @param framebufferStride ints per framebuffer row
     * @return the rectangle, owning its pixels
     */
    public static PixelRectangle copyOf(int encoding, Rect rect, int[] framebuffer, int framebufferStride) {
        return ofPixels(encoding, rect, of(encoding, rect, framebuffer, framebufferStride).toArray());
    }

    /**
     * @param encoding pixel encoding
     * @param rect position and size
     * @param pixels exactly width x height 0x00RRGGBB pixels, row-major (not copied)
     * @return the rectangle
     */
    public static PixelRectangle ofPixels(int encoding, Rect rect, int[] pixels) {
        return new PixelRectangle(rect, encoding, pixels, 0, rect.width());
    }

    @Override
    public Rect rect() {
        return rect;
    }

    @Override
    public int encoding() {
        return encoding;
    }

    /** @return the backing array (shared, not copied); see {@link #offset()} and {@link #stride()} */
    public int[] pixels() {
        return pixels;
    }

    /** @return index of the top-left pixel in {@link #pixels()} */
    public int offset() {
        return offset;
    }

    /** @return ints per row in {@link #pixels()} */
    public int stride() {
        return stride;
    }

    /**
     * @param col column inside the rectangle
     * @param row row inside the rectangle
     * @return 0x00RRGGBB pixel
     */
    public int pixel(int col, int row) {
        return pixels[offset + row * stride + col];
    }

    /** @return a width x height copy of the pixels */
    public int[] toArray() {
        int w = rect.width();
        int[] copy = new int[w * rect.height()];
        for (int row = 0; row < rect.height(); row++) {
            System.arraycopy(pixels, offset + row * stride, copy, row * w, w);
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PixelRectangle other) || encoding != other.encoding || !rect.equals(other.rect)) {
            return false;
        }
        for (int row = 0; row < rect.height(); row++) {
            for (int col = 0; col < rect.width(); col++) {
                if (pixel(col, row) != other.pixel(col, row)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rect, encoding);
    }

    @Override
    public String toString() {
        return "PixelRectangle[" + rect + ", encoding=" + Encodings.name(encoding) + "]";
    }
}
