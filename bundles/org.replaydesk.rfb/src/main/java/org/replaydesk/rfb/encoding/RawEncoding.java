package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;

/** Raw encoding (0): width x height PIXELs, row-major. The fallback every client supports. */
public final class RawEncoding {

    private RawEncoding() {
    }

    /**
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @param converter client pixel format
     * @param out destination
     */
    public static void encode(int[] src, int offset, int stride, int width, int height, PixelConverter converter,
            ByteBuf out) {
        converter.encode(src, offset, stride, width, height, out);
    }

    /**
     * @param in source
     * @param width rectangle width
     * @param height rectangle height
     * @param converter client pixel format
     * @param dst 0x00RRGGBB destination
     * @param offset index of the top-left pixel in {@code dst}
     * @param stride ints per row of {@code dst}
     * @return {@code false}, consuming nothing, if the buffer does not hold the whole rectangle yet
     */
    public static boolean decode(ByteBuf in, int width, int height, PixelConverter converter, int[] dst, int offset,
            int stride) {
        if (in.readableBytes() < (long) width * height * converter.bytesPerPixel()) {
            return false;
        }
        converter.decode(in, dst, offset, stride, width, height);
        return true;
    }
}
