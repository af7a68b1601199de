package org.replaydesk.rfb.internal;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_ENCODED_DATA;
import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;

import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.replaydesk.rfb.RfbProtocolException;

/** Small helpers shared by the decoders and encoders: availability checks, length-prefixed strings, zlib. */
public final class Wire {

    private Wire() {
    }

    /**
     * @param in buffer
     * @param bytes bytes the current unit still needs
     * @throws NeedMoreInput if fewer are readable
     */
    public static void need(ByteBuf in, long bytes) {
        if (in.readableBytes() < bytes) {
            throw NeedMoreInput.INSTANCE;
        }
    }

    /**
     * Reads a U32 length and that many bytes as a string, checking the length before waiting for or allocating the
     * bytes.
     *
     * @param in buffer
     * @param max largest acceptable length
     * @param what field name for the error message
     * @param charset text encoding
     * @return the string
     */
    public static String readString(ByteBuf in, long max, String what, Charset charset) {
        need(in, 4);
        long length = in.readUnsignedInt();
        if (length > max) {
            throw new RfbProtocolException(LENGTH_TOO_LARGE,
                    what + " length " + length + " exceeds the limit of " + max + " bytes");
        }
        need(in, length);
        return in.readCharSequence((int) length, charset).toString();
    }

    /**
     * @param out destination
     * @param text string written as U32 length and bytes
     * @param charset text encoding
     */
    public static void writeString(ByteBuf out, String text, Charset charset) {
        byte[] bytes = text.getBytes(charset);
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    /**
     * Compresses everything readable in {@code data} with a sync flush, so the peer can decompress this part
     * without waiting for more: the stream stays open for the next rectangle.
     *
     * @param deflater the connection's persistent deflater
     * @param data uncompressed bytes (consumed)
     * @return the compressed bytes
     */
    public static byte[] deflate(Deflater deflater, ByteBuf data) {
        byte[] input = new byte[data.readableBytes()];
        data.readBytes(input);
        deflater.setInput(input);
        byte[] out = new byte[input.length + input.length / 100 + 64];
        int length = 0;
        int idle = 0;
        while (true) {
            int n = deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
            length += n;
            if (length == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            } else if (deflater.needsInput()) {
                return Arrays.copyOf(out, length);
            } else if (n == 0 && ++idle > 2) {
                throw new IllegalStateException("zlib made no progress with " + input.length + " bytes of input");
            }
            // A deflate() right after Deflater.setLevel only applies the level and outputs nothing: go on.
        }
    }

    /**
     * Decompresses exactly {@code expected} bytes and consumes all of {@code input} (the sync-flush marker too), so
     * that the persistent stream stays aligned with the peer's.
     *
     * @param inflater the connection's persistent inflater
     * @param input compressed bytes
     * @param expected number of bytes the data must decompress to
     * @param what encoding name for error messages
     * @return the decompressed bytes
     */
    public static byte[] inflateExactly(Inflater inflater, byte[] input, int expected, String what) {
        byte[] out = inflate(inflater, input, expected, what);
        if (out.length != expected) {
            throw new RfbProtocolException(BAD_ENCODED_DATA,
                    what + " zlib data decompressed to " + out.length + " bytes, expected " + expected);
        }
        return out;
    }

    /**
     * Decompresses all of {@code input}.
     *
     * @param inflater the connection's persistent inflater
     * @param input compressed bytes
     * @param max largest acceptable output, so a zlib bomb fails instead of exhausting memory
     * @param what encoding name for error messages
     * @return the decompressed bytes
     */
    public static byte[] inflate(Inflater inflater, byte[] input, int max, String what) {
        inflater.setInput(input);
        // One byte of headroom above max: filling it proves the data is too big.
        byte[] out = new byte[(int) Math.min((long) max + 1, Math.max(1024L, input.length * 4L))];
        int length = 0;
        try {
            while (true) {
                if (length == out.length) {
                    if (length > max) {
                        break;
                    }
                    out = Arrays.copyOf(out, (int) Math.min((long) max + 1, out.length * 2L));
                }
                int remaining = inflater.getRemaining();
                int n = inflater.inflate(out, length, out.length - length);
                length += n;
                if (inflater.needsInput() && length < out.length) {
                    break; // all input consumed and all output delivered
                }
                if (n == 0 && (inflater.finished() || inflater.needsDictionary()
                        || inflater.getRemaining() == remaining)) {
                    throw new RfbProtocolException(BAD_ENCODED_DATA, what + " zlib stream ended or stalled with "
                            + inflater.getRemaining() + " input bytes left");
                }
            }
        } catch (DataFormatException e) {
            throw new RfbProtocolException(BAD_ENCODED_DATA, what + " zlib data is corrupt: " + e.getMessage(), e);
        }
        if (length > max) {
            throw new RfbProtocolException(BAD_ENCODED_DATA,
                    what + " zlib data decompresses to more than " + max + " bytes");
        }
        return Arrays.copyOf(out, length);
    }

    /**
     * @param compressedLength length announced by the peer
     * @param maxUncompressed largest legitimate uncompressed size
     * @param what encoding name
     */
    public static void checkCompressedLength(long compressedLength, long maxUncompressed, String what) {
        // zlib never expands by more than a few bytes per 16 KiB block plus headers.
        long limit = maxUncompressed + maxUncompressed / 100 + 1024;
        if (compressedLength > limit) {
            throw new RfbProtocolException(LENGTH_TOO_LARGE, what + " compressed length " + compressedLength
                    + " exceeds the " + limit + " bytes the rectangle can need");
        }
    }
}
