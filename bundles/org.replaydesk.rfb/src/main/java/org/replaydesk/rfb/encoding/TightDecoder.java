package org.replaydesk.rfb.encoding;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_ENCODED_DATA;
import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.internal.NeedMoreInput;
import org.replaydesk.rfb.internal.Wire;

/**
 * Tight decoder (7) for one connection: owns the four zlib streams. Understands fill, JPEG and basic compression with
 * the copy, palette and gradient filters (not TightPNG).
 *
 * <p>The whole rectangle is parsed and length-checked before any zlib stream is reset or fed, so a rectangle that
 * arrives in pieces leaves the streams untouched until it is complete.
 */
public final class TightDecoder implements AutoCloseable {

    private final Inflater[] streams = {new Inflater(), new Inflater(), new Inflater(), new Inflater()};

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
    public boolean decode(ByteBuf in, int width, int height, PixelConverter converter, int[] dst, int offset,
            int stride) {
        int start = in.readerIndex();
        try {
            decodeRect(in, width, height, converter, dst, offset, stride);
            return true;
        } catch (NeedMoreInput e) {
            in.readerIndex(start);
            return false;
        }
    }

    private void decodeRect(ByteBuf in, int width, int height, PixelConverter converter, int[] dst, int offset,
            int stride) {
        Wire.need(in, 1);
        int control = in.readUnsignedByte();
        int type = control >> 4;
        int tp = converter.tpixelBytes();
        int n = width * height;
        if (type == Tight.FILL) {
            Wire.need(in, tp);
            resetStreams(control);
            int colour = converter.toRgb(converter.readTpixel(in));
            for (int row = 0; row < height; row++) {
                java.util.Arrays.fill(dst, offset + row * stride, offset + row * stride + width, colour);
            }
            return;
        }
        if (type == Tight.JPEG) {
            int length = Tight.readCompactLength(in);
            long max = (long) n * 8 + 65536;
            if (length > max) {
                throw new RfbProtocolException(LENGTH_TOO_LARGE,
                        "Tight JPEG length " + length + " exceeds " + max + " bytes for a " + width + "x" + height
                                + " rectangle");
            }
            Wire.need(in, length);
            resetStreams(control);
            byte[] jpeg = new byte[length];
            in.readBytes(jpeg);
            decodeJpeg(jpeg, width, height, converter, dst, offset, stride);
            return;
        }
        if (type > Tight.JPEG) {
            throw new RfbProtocolException(BAD_ENCODED_DATA, "Tight compression type 0x"
                    + Integer.toHexString(type) + (type == Tight.PNG ? " (TightPNG) is not supported" : " is invalid"));
        }
        int stream = type & 3;
        int filter = Tight.FILTER_COPY;
        if ((type & Tight.EXPLICIT_FILTER) != 0) {
            Wire.need(in, 1);
            filter = in.readUnsignedByte();
        }
        int[] palette = null;
        int dataSize;
        switch (filter) {
            case Tight.FILTER_COPY -> dataSize = n * tp;
            case Tight.FILTER_PALETTE -> {
                Wire.need(in, 1);
                int count = in.readUnsignedByte() + 1;
                Wire.need(in, (long) count * tp);
                palette = new int[count];
                for (int i = 0; i < count; i++) {
                    palette[i] = converter.toRgb(converter.readTpixel(in));
                }
                dataSize = count <= 2 ? (width + 7) / 8 * height : n;
            }
            case Tight.FILTER_GRADIENT -> {
                if (!converter.format().trueColour()) {
                    throw new RfbProtocolException(BAD_ENCODED_DATA,
                            "Tight gradient filter used with a colour-mapped pixel format");
                }
                dataSize = n * tp;
            }
            default -> throw new RfbProtocolException(BAD_ENCODED_DATA, "Tight filter id " + filter + " is invalid");
        }
        byte[] data;
        if (dataSize < Tight.MIN_TO_COMPRESS) {
            Wire.need(in, dataSize);
            resetStreams(control);
            data = new byte[dataSize];
            in.readBytes(data);
        } else {
            int length = Tight.readCompactLength(in);
            Wire.checkCompressedLength(length, dataSize, "Tight");
            Wire.need(in, length);
            resetStreams(control);
            byte[] compressed = new byte[length];
            in.readBytes(compressed);
            data = Wire.inflateExactly(streams[stream], compressed, dataSize, "Tight stream " + stream);
        }
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        if (palette != null) {
            for (int row = 0; row < height; row++) {
                for (int col = 0; col < width; col++) {
                    int index = palette.length <= 2
                            ? (data[row * ((width + 7) / 8) + col / 8] >> (7 - col % 8)) & 1
                            : data[row * width + col] & 0xFF;
                    if (index >= palette.length) {
                        throw new RfbProtocolException(BAD_ENCODED_DATA,
                                "Tight palette index " + index + " >= palette size " + palette.length);
                    }
                    dst[offset + row * stride + col] = palette[index];
                }
            }
        } else if (filter == Tight.FILTER_GRADIENT) {
            decodeGradient(buf, width, height, converter, dst, offset, stride);
        } else {
            for (int row = 0; row < height; row++) {
                for (int col = 0; col < width; col++) {
                    dst[offset + row * stride + col] = converter.toRgb(converter.readTpixel(buf));
                }
            }
        }
    }

    /**
     * Gradient filter (rfbproto): each component is predicted as left + above - above-left, clamped to
     * [0, max], and the data holds the difference modulo max + 1.
     */
    private static void decodeGradient(ByteBuf data, int width, int height, PixelConverter converter, int[] dst,
            int offset, int stride) {
        PixelFormat pf = converter.format();
        boolean rgb = converter.tpixelIsRgb();
        int[] max = rgb ? new int[] {255, 255, 255} : new int[] {pf.redMax(), pf.greenMax(), pf.blueMax()};
        int[] shift = rgb ? new int[] {16, 8, 0} : new int[] {pf.redShift(), pf.greenShift(), pf.blueShift()};
        int[] outShift = {pf.redShift(), pf.greenShift(), pf.blueShift()};
        int[][] previousRow = new int[width][3];
        int[][] currentRow = new int[width][3];
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                int raw = rgb ? data.readUnsignedMedium() : converter.readPixel(data);
                int pixel = 0;
                for (int c = 0; c < 3; c++) {
                    int left = col > 0 ? currentRow[col - 1][c] : 0;
                    int up = row > 0 ? previousRow[col][c] : 0;
                    int upLeft = row > 0 && col > 0 ? previousRow[col - 1][c] : 0;
                    int predicted = Math.max(0, Math.min(max[c], left + up - upLeft));
                    int value = (predicted + ((raw >>> shift[c]) & max[c])) & max[c];
                    currentRow[col][c] = value;
                    pixel |= value << outShift[c];
                }
                dst[offset + row * stride + col] = converter.toRgb(pixel);
            }
            int[][] swap = previousRow;
            previousRow = currentRow;
            currentRow = swap;
        }
    }

    private static void decodeJpeg(byte[] jpeg, int width, int height, PixelConverter converter, int[] dst,
            int offset, int stride) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException | RuntimeException e) {
            throw new RfbProtocolException(BAD_ENCODED_DATA, "Tight JPEG data is corrupt: " + e.getMessage(), e);
        }
        if (image == null || image.getWidth() != width || image.getHeight() != height) {
            throw new RfbProtocolException(BAD_ENCODED_DATA, "Tight JPEG image is "
                    + (image == null ? "unreadable" : image.getWidth() + "x" + image.getHeight()) + ", expected "
                    + width + "x" + height);
        }
        image.getRGB(0, 0, width, height, dst, offset, stride);
        // Show what a client in this pixel format would show, so the result does not depend on the format's depth.
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                int i = offset + row * stride + col;
                dst[i] = converter.quantize(dst[i] & 0xFFFFFF);
            }
        }
    }

    private void resetStreams(int control) {
        for (int i = 0; i < 4; i++) {
            if ((control & (1 << i)) != 0) {
                streams[i].reset();
            }
        }
    }

    @Override
    public void close() {
        for (Inflater inflater : streams) {
            inflater.end();
        }
    }
}
