package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.replaydesk.rfb.internal.ZlibStream;

/**
 * Tight encoder (7) for one connection: four zlib streams that live as long as the connection.
 *
 * <p>Per rectangle: one colour becomes fill compression; up to {@link #MAX_PALETTE} colours (or any count up to 256
 * when JPEG is off and the palette is smaller than the copy) use the palette filter (stream 1 for two colours, 2
 * otherwise); photo-like rectangles use JPEG when a quality level is set and the client has a true-colour format of
 * 16 or 32 bpp; everything else uses the copy filter on stream 0. Rectangles may be at most {@link #MAX_WIDTH} wide
 * and {@link #MAX_PIXELS} large; {@code FramebufferUpdateEncoder} splits larger ones.
 *
 * <p>The relay sends a 1080p screen as some thirty rectangles per update, so everything per rectangle is reused:
 * pixel, index and output arrays, the palette table (which stops at the first colour too many, usually within a few
 * hundred pixels of a photo), the JPEG writer and its image. JPEG goes through an in-memory stream, because ImageIO's
 * default stream caches in a temporary file.
 */
public final class TightEncoder implements AutoCloseable {

    /** Widest rectangle a Tight decoder must accept. */
    public static final int MAX_WIDTH = 2048;
    /** Largest rectangle (pixels) this encoder sends; keeps compact lengths and decoder buffers small. */
    public static final int MAX_PIXELS = 65536;
    /** Palettes up to this size are always used, even when JPEG is on. */
    public static final int MAX_PALETTE = 16;

    private static final int PALETTE_SLOTS = 1024; // 257 colours at most: short probes

    private final ZlibStream[] streams = new ZlibStream[4];
    private int jpegQuality = -1;

    // Allocated on the first rectangle: every connection has a Tight encoder, few clients use it.
    private int[] pixels;
    private byte[] index;
    private final int[] colours = new int[256];
    private final int[] slotColour = new int[PALETTE_SLOTS];
    private final int[] slotIndex = new int[PALETTE_SLOTS];
    /** A slot is in use when its stamp equals {@link #generation}: no clearing between rectangles. */
    private final int[] slotStamp = new int[PALETTE_SLOTS];
    private int generation;
    private byte[] data;

    private ImageWriter jpegWriter;
    private ImageWriteParam jpegParam;
    private BufferedImage jpegImage;
    private final JpegBytes jpegBytes = new JpegBytes();

    /** Creates an encoder with zlib level 6 and JPEG off. */
    public TightEncoder() {
        this(6);
    }

    /**
     * @param level zlib compression level 0..9
     */
    public TightEncoder(int level) {
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new ZlibStream(level);
        }
    }

    /**
     * @param level zlib compression level 0..9 from the next rectangle on
     */
    public void setCompressLevel(int level) {
        for (ZlibStream stream : streams) {
            stream.setLevel(level);
        }
    }

    /**
     * @param quality Tight JPEG quality level 0..9 (from pseudo-encodings -32..-23), or -1 to never use JPEG
     */
    public void setJpegQuality(int quality) {
        if (quality < -1 || quality > 9) {
            throw new IllegalArgumentException("JPEG quality level " + quality + " is not -1..9");
        }
        this.jpegQuality = quality;
    }

    /** @return JPEG quality level 0..9, or -1 when JPEG is off */
    public int jpegQuality() {
        return jpegQuality;
    }

    /**
     * Writes the rectangle's payload (everything after the rectangle header).
     *
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width, at most {@link #MAX_WIDTH}
     * @param height region height; width x height at most {@link #MAX_PIXELS}
     * @param converter client pixel format
     * @param out destination
     */
    public void encode(int[] src, int offset, int stride, int width, int height, PixelConverter converter,
            ByteBuf out) {
        if (width > MAX_WIDTH || (long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("Tight rectangle " + width + "x" + height + " is too large; split it");
        }
        if (pixels == null) {
            pixels = new int[MAX_PIXELS];
            index = new byte[MAX_PIXELS];
            data = new byte[MAX_PIXELS * 4];
        }
        converter.toPixels(src, offset, stride, width, height, pixels);
        int n = width * height;
        boolean jpegAllowed = jpegQuality >= 0 && converter.format().trueColour()
                && converter.format().bitsPerPixel() >= 16 && n >= 64;
        // With JPEG on, only palettes up to MAX_PALETTE matter, so counting can stop sooner.
        int count = countColours(n, jpegAllowed ? MAX_PALETTE + 1 : 257);
        if (count == 1) {
            out.writeByte(Tight.FILL << 4);
            converter.writeTpixel(out, pixels[0]);
            return;
        }
        long copySize = (long) n * converter.tpixelBytes();
        long paletteSize = count * converter.tpixelBytes() + (count == 2 ? (long) (width + 7) / 8 * height : n);
        if (count <= 256 && (count <= MAX_PALETTE || (!jpegAllowed && paletteSize < copySize))) {
            encodePalette(n, width, height, count, converter, out);
        } else if (jpegAllowed) {
            encodeJpeg(src, offset, stride, width, height, out);
        } else {
            out.writeByte(0); // basic compression, stream 0, implicit copy filter
            int length = converter.putTpixels(pixels, 0, n, data, 0);
            writeData(0, length, out);
        }
    }

    /**
     * Builds the palette in order of first appearance and each pixel's index in it.
     *
     * @return the number of colours, or {@code limit} if there are at least that many (indices then incomplete)
     */
    private int countColours(int n, int limit) {
        if (++generation == 0) {
            Arrays.fill(slotStamp, 0);
            generation = 1;
        }
        int count = 0;
        int previous = 0;
        int previousIndex = -1;
        for (int i = 0; i < n; i++) {
            int p = pixels[i];
            if (p == previous && previousIndex >= 0) {
                index[i] = (byte) previousIndex;
                continue;
            }
            int slot = (p * 0x9E3779B1) >>> 22;
            while (slotStamp[slot] == generation && slotColour[slot] != p) {
                slot = (slot + 1) & (PALETTE_SLOTS - 1);
            }
            if (slotStamp[slot] != generation) {
                if (count == limit - 1) {
                    return limit;
                }
                slotStamp[slot] = generation;
                slotColour[slot] = p;
                slotIndex[slot] = count;
                colours[count++] = p;
            }
            previous = p;
            previousIndex = slotIndex[slot];
            index[i] = (byte) previousIndex;
        }
        return count;
    }

    private void encodePalette(int n, int width, int height, int count, PixelConverter converter, ByteBuf out) {
        int stream = count == 2 ? 1 : 2;
        out.writeByte((stream | Tight.EXPLICIT_FILTER) << 4);
        out.writeByte(Tight.FILTER_PALETTE);
        out.writeByte(count - 1);
        int paletteEnd = converter.putTpixels(colours, 0, count, data, 0);
        out.writeBytes(data, 0, paletteEnd);
        int length = 0;
        if (count == 2) {
            for (int row = 0; row < height; row++) {
                int acc = 0;
                int bits = 0;
                int rowStart = row * width;
                for (int col = 0; col < width; col++) {
                    acc = (acc << 1) | index[rowStart + col];
                    if (++bits == 8) {
                        data[length++] = (byte) acc;
                        acc = 0;
                        bits = 0;
                    }
                }
                if (bits > 0) {
                    data[length++] = (byte) (acc << (8 - bits));
                }
            }
        } else {
            System.arraycopy(index, 0, data, 0, n);
            length = n;
        }
        writeData(stream, length, out);
    }

    private void writeData(int stream, int length, ByteBuf out) {
        if (length < Tight.MIN_TO_COMPRESS) {
            out.writeBytes(data, 0, length);
            return;
        }
        ZlibStream zlib = streams[stream];
        int compressed = zlib.compress(data, 0, length);
        out.ensureWritable(3 + compressed);
        Tight.writeCompactLength(out, compressed);
        out.writeBytes(zlib.output(), 0, compressed);
    }

    private void encodeJpeg(int[] src, int offset, int stride, int width, int height, ByteBuf out) {
        if (jpegWriter == null) {
            jpegWriter = ImageIO.getImageWritersByFormatName("jpeg").next();
            jpegParam = jpegWriter.getDefaultWriteParam();
            jpegParam.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            if (jpegParam instanceof javax.imageio.plugins.jpeg.JPEGImageWriteParam jpeg) {
                // Huffman tables fitted to the rectangle instead of the standard ones: the same picture in fewer
                // bytes (measured in the encoder benchmark), for a second pass over the coefficients.
                jpeg.setOptimizeHuffmanTables(true);
            }
        }
        if (jpegImage == null || jpegImage.getWidth() != width || jpegImage.getHeight() != height) {
            jpegImage = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        }
        // Straight into the image's int[]: setRGB would go through the colour model pixel by pixel.
        int[] raster = ((DataBufferInt) jpegImage.getRaster().getDataBuffer()).getData();
        for (int row = 0; row < height; row++) {
            System.arraycopy(src, offset + row * stride, raster, row * width, width);
        }
        jpegParam.setCompressionQuality(Tight.JPEG_QUALITY[jpegQuality] / 100f);
        jpegBytes.reset();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(jpegBytes)) {
            jpegWriter.setOutput(ios);
            jpegWriter.write(null, new IIOImage(jpegImage, null, null), jpegParam);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding of a " + width + "x" + height + " rectangle failed", e);
        } finally {
            jpegWriter.setOutput(null);
        }
        out.writeByte(Tight.JPEG << 4);
        Tight.writeCompactLength(out, jpegBytes.size());
        out.writeBytes(jpegBytes.buffer(), 0, jpegBytes.size());
    }

    /** Lets the JPEG be copied out without {@code toByteArray()}'s extra array. */
    private static final class JpegBytes extends ByteArrayOutputStream {
        JpegBytes() {
            super(65536);
        }

        byte[] buffer() {
            return buf;
        }
    }

    @Override
    public void close() {
        for (ZlibStream stream : streams) {
            stream.end();
        }
        if (jpegWriter != null) {
            jpegWriter.dispose();
            jpegWriter = null;
        }
    }
}
