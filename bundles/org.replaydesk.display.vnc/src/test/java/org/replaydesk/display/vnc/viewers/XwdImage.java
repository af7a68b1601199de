package org.replaydesk.display.vnc.viewers;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads an X Window Dump (XWD version 7) in the only shape the tests meet: Xvfb's {@code -fbdir} screen file, a
 * ZPixmap of 32 bits per pixel with TrueColor masks. Reading Xvfb's own framebuffer file spares the tests a screen
 * grabber (xwd, ImageMagick) and shows exactly the pixels the X server holds.
 */
public final class XwdImage {

    /** The header is 25 CARD32 fields, then the window name; every XWD version 7 file starts like this. */
    private static final int HEADER_FIELDS = 25;
    private static final int FILE_VERSION = 7;
    private static final int Z_PIXMAP = 2;
    private static final int TRUE_COLOR = 4;
    /** One XWDColor: pixel (CARD32), red, green, blue (CARD16 each), flags, pad. */
    private static final int COLOR_ENTRY_SIZE = 12;

    private XwdImage() {
    }

    /**
     * @param xwd the whole file
     * @return the pixels as TYPE_INT_RGB
     * @throws IllegalArgumentException naming the field that is not what this reader handles
     */
    public static BufferedImage read(ByteBuffer xwd) {
        ByteBuffer in = xwd.duplicate();
        if (in.remaining() < HEADER_FIELDS * 4) {
            throw new IllegalArgumentException("not an XWD file: " + in.remaining() + " bytes, the header alone is "
                    + HEADER_FIELDS * 4);
        }
        // The header is in the byte order of whoever wrote it (xwd writes MSB first, Xvfb its own): the version
        // field, always 7, tells which.
        in.order(ByteOrder.BIG_ENDIAN);
        if (in.getInt(4) != FILE_VERSION) {
            in.order(ByteOrder.LITTLE_ENDIAN);
            if (in.getInt(4) != FILE_VERSION) {
                throw new IllegalArgumentException("not an XWD version 7 file (file_version field is "
                        + in.order(ByteOrder.BIG_ENDIAN).getInt(4) + ")");
            }
        }
        int headerSize = field(in, 0);
        int pixmapFormat = field(in, 2);
        int width = field(in, 4);
        int height = field(in, 5);
        int byteOrder = field(in, 7);
        int bitsPerPixel = field(in, 11);
        int bytesPerLine = field(in, 12);
        int visualClass = field(in, 13);
        int redMask = field(in, 14);
        int greenMask = field(in, 15);
        int blueMask = field(in, 16);
        int colours = field(in, 19);
        require(pixmapFormat == Z_PIXMAP, "pixmap_format " + pixmapFormat + " (only ZPixmap = 2)");
        require(visualClass == TRUE_COLOR, "visual_class " + visualClass + " (only TrueColor = 4)");
        require(bitsPerPixel == 32, "bits_per_pixel " + bitsPerPixel + " (only 32; start Xvfb with depth 24)");
        require(width > 0 && height > 0, "size " + width + "x" + height);
        require(bytesPerLine >= width * 4, "bytes_per_line " + bytesPerLine + " for width " + width);
        long pixelsAt = (long) headerSize + (long) colours * COLOR_ENTRY_SIZE;
        long end = pixelsAt + (long) bytesPerLine * (height - 1) + width * 4L;
        require(headerSize >= HEADER_FIELDS * 4 && end <= in.limit(), "length: " + width + "x" + height
                + " pixels after a " + headerSize + "-byte header and " + colours + " colours need " + end
                + " bytes, the file has " + in.limit());

        ByteBuffer pixels = in.duplicate().order(byteOrder == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            int row = (int) (pixelsAt + (long) y * bytesPerLine);
            for (int x = 0; x < width; x++) {
                int p = pixels.getInt(row + x * 4);
                rgb[y * width + x] = channel(p, redMask) << 16 | channel(p, greenMask) << 8 | channel(p, blueMask);
            }
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    private static int field(ByteBuffer in, int index) {
        return in.getInt(index * 4);
    }

    /** The bits under an 8-bit mask, e.g. 0x00FF0000 -> bits 16..23. */
    private static int channel(int pixel, int mask) {
        return (pixel & mask) >>> Integer.numberOfTrailingZeros(mask) & 0xFF;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("unsupported XWD file: " + what);
        }
    }
}
