package org.replaydesk.rfb;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Helpers for writing wire bytes in tests and running decoders in an {@link EmbeddedChannel}. */
public final class TestBytes {

    private TestBytes() {
    }

    /** @return the ints as bytes, so vectors can be written as {@code 0xFF} without casts */
    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** @return ASCII bytes of the text, for string fields in vectors */
    public static int[] ascii(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        int[] values = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            values[i] = b[i] & 0xFF;
        }
        return values;
    }

    /** @return the concatenation of int arrays, to splice {@link #ascii} into a vector */
    public static int[] concat(int[]... parts) {
        int length = 0;
        for (int[] p : parts) {
            length += p.length;
        }
        int[] all = new int[length];
        int i = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, i, p.length);
            i += p.length;
        }
        return all;
    }

    /** @return the readable bytes of the buffer (released) */
    public static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** @return the hex form, for readable assertion messages */
    public static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    /**
     * Feeds {@code wire} to a decoder in one buffer or one byte at a time and returns everything it emitted.
     *
     * @param decoder fresh decoder
     * @param wire bytes to feed
     * @param byteAtATime whether to split the input into single bytes
     * @return decoded messages
     */
    public static List<Object> decode(ChannelHandler decoder, byte[] wire, boolean byteAtATime) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            return decode(channel, wire, byteAtATime);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Same as {@link #decode(ChannelHandler, byte[], boolean)} on an existing channel. */
    public static List<Object> decode(EmbeddedChannel channel, byte[] wire, boolean byteAtATime) {
        List<Object> out = new ArrayList<>();
        if (byteAtATime) {
            for (byte b : wire) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                drainInbound(channel, out);
            }
        } else {
            channel.writeInbound(Unpooled.wrappedBuffer(wire));
            drainInbound(channel, out);
        }
        return out;
    }

    private static void drainInbound(EmbeddedChannel channel, List<Object> out) {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            out.add(msg);
        }
    }
}
