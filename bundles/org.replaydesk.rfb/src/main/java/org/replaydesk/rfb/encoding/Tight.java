package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import org.replaydesk.rfb.internal.NeedMoreInput;

/** Tight constants and the compact length shared by {@link TightEncoder} and {@link TightDecoder}. */
final class Tight {
    static final int FILL = 0x08;
    static final int JPEG = 0x09;
    static final int PNG = 0x0A;
    static final int EXPLICIT_FILTER = 0x04;
    static final int FILTER_COPY = 0;
    static final int FILTER_PALETTE = 1;
    static final int FILTER_GRADIENT = 2;
    /** Data shorter than this is sent without zlib. */
    static final int MIN_TO_COMPRESS = 12;
    /** Largest value a compact length can hold (22 bits). */
    static final int MAX_COMPACT_LENGTH = 0x3FFFFF;

    private Tight() {
    }

    static void writeCompactLength(ByteBuf out, int length) {
        if (length < 0x80) {
            out.writeByte(length);
        } else if (length < 0x4000) {
            out.writeByte(0x80 | (length & 0x7F));
            out.writeByte(length >> 7);
        } else {
            out.writeByte(0x80 | (length & 0x7F));
            out.writeByte(0x80 | ((length >> 7) & 0x7F));
            out.writeByte(length >> 14);
        }
    }

    /** Reads 1 to 3 bytes: 7 bits each in the first two with a continuation bit, 8 bits in the third. */
    static int readCompactLength(ByteBuf in) {
        int length = 0;
        for (int i = 0; i < 3; i++) {
            if (!in.isReadable()) {
                throw NeedMoreInput.INSTANCE;
            }
            int b = in.readUnsignedByte();
            if (i == 2) {
                return length | (b << 14);
            }
            length |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return length;
            }
        }
        return length;
    }

    /** JPEG quality per Tight level 0..9, as TigerVNC maps them. */
    static final int[] JPEG_QUALITY = {15, 29, 41, 42, 62, 77, 79, 86, 92, 100};
}
