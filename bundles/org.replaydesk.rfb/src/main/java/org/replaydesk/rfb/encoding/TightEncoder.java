package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.replaydesk.rfb.internal.Wire;

/**
 * Tight encoder (7) for one connection: four zlib streams that live as long as the connection.
 *
 * <p>Per rectangle: one colour becomes fill compression; up to {@link #MAX_PALETTE} colours (or any count up to 256
 * when JPEG is off and the palette is smaller than the copy) use the palette filter (stream 1 for two colours, 2
 * otherwise); photo-like rectangles use JPEG when a quality level is set and the client has a true-colour format of
 * 16 or 32 bpp; everything else uses the copy filter on stream 0. Rectangles may be at most {@link #MAX_WIDTH} wide
 * and {@link #MAX_PIXELS} large; {@code FramebufferUpdateEncoder} splits larger ones.
 */
public final class TightEncoder implements AutoCloseable {

    /** Widest rectangle a Tight decoder must accept. */
    public static final int MAX_WIDTH = 2048;
    /** Largest rectangle (pixels) this encoder sends; keeps compact lengths and decoder buffers small. */
    public static final int MAX_PIXELS = 65536;
    /** Palettes up to this size are always used, even when JPEG is on. */
    public static final int MAX_PALETTE = 16;

    private final Deflater[] streams = new Deflater[4];
    private int jpegQuality = -1;

    /** Creates an encoder with zlib level 6 and JPEG off. */
    public TightEncoder() {
        this(6);
    }

    /**
     * @param level zlib compression level 0..9
     */
    public TightEncoder(int level) {
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new Deflater(level);
        }
    }

    /**
     * @param level zlib compression level 0..9 from the next rectangle on
     */
    public void setCompressLevel(int level) {
        for (Deflater d : streams) {
            d.setLevel(level);
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
        int[] pixels = converter.toPixels(src, offset, stride, width, height);
        int n = pixels.length;
        Map<Integer, Integer> palette = new HashMap<>();
        int[] colours = new int[256];
        for (int i = 0; i < n && palette.size() <= 256; i++) {
            if (!palette.containsKey(pixels[i])) {
                if (palette.size() < 256) {
                    colours[palette.size()] = pixels[i];
                }
                palette.put(pixels[i], palette.size());
            }
        }
        int count = palette.size();
        if (count == 1) {
            out.writeByte(Tight.FILL << 4);
            converter.writeTpixel(out, pixels[0]);
            return;
        }
        boolean jpegAllowed = jpegQuality >= 0 && converter.format().trueColour()
                && converter.format().bitsPerPixel() >= 16 && n >= 64;
        long copySize = (long) n * converter.tpixelBytes();
        long paletteSize = count * converter.tpixelBytes() + (count == 2 ? (long) (width + 7) / 8 * height : n);
        if (count <= 256 && (count <= MAX_PALETTE || (!jpegAllowed && paletteSize < copySize))) {
            encodePalette(pixels, width, height, palette, colours, count, converter, out);
        } else if (jpegAllowed) {
            encodeJpeg(src, offset, stride, width, height, out);
        } else {
            out.writeByte(0); // basic compression, stream 0, implicit copy filter
            ByteBuf data = Unpooled.buffer((int) copySize);
            try {
                for (int p : pixels) {
                    converter.writeTpixel(data, p);
                }
                writeData(0, data, out);
            } finally {
                data.release();
            }
        }
    }

    private void encodePalette(int[] pixels, int width, int height, Map<Integer, Integer> palette, int[] colours,
            int count, PixelConverter converter, ByteBuf out) {
        int stream = count == 2 ? 1 : 2;
        out.writeByte((stream | Tight.EXPLICIT_FILTER) << 4);
        out.writeByte(Tight.FILTER_PALETTE);
        out.writeByte(count - 1);
        for (int i = 0; i < count; i++) {
            converter.writeTpixel(out, colours[i]);
        }
        ByteBuf data = Unpooled.buffer(pixels.length);
        try {
            if (count == 2) {
                for (int row = 0; row < height; row++) {
                    int acc = 0;
                    int bits = 0;
                    for (int col = 0; col < width; col++) {
                        acc = (acc << 1) | palette.get(pixels[row * width + col]);
                        if (++bits == 8) {
                            data.writeByte(acc);
                            acc = 0;
                            bits = 0;
                        }
                    }
                    if (bits > 0) {
                        data.writeByte(acc << (8 - bits));
                    }
                }
            } else {
                for (int p : pixels) {
                    data.writeByte(palette.get(p));
                }
            }
            writeData(stream, data, out);
        } finally {
            data.release();
        }
    }

    private void writeData(int stream, ByteBuf data, ByteBuf out) {
        if (data.readableBytes() < Tight.MIN_TO_COMPRESS) {
            out.writeBytes(data);
            return;
        }
        byte[] compressed = Wire.deflate(streams[stream], data);
        Tight.writeCompactLength(out, compressed.length);
        out.writeBytes(compressed);
    }

    private void encodeJpeg(int[] src, int offset, int stride, int width, int height, ByteBuf out) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, src, offset, stride);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(jpeg)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(Tight.JPEG_QUALITY[jpegQuality] / 100f);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding of a " + width + "x" + height + " rectangle failed", e);
        } finally {
            writer.dispose();
        }
        out.writeByte(Tight.JPEG << 4);
        Tight.writeCompactLength(out, jpeg.size());
        out.writeBytes(jpeg.toByteArray());
    }

    @Override
    public void close() {
        for (Deflater d : streams) {
            d.end();
        }
    }
}
