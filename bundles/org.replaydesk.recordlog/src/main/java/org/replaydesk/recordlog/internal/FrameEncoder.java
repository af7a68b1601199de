package org.replaydesk.recordlog.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/** Writes {@link Frame}s; stateless, so one instance serves every channel. */
@Sharable
final class FrameEncoder extends MessageToByteEncoder<Frame> {

    static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        write(frame, out);
    }

    /** Encodes one frame into {@code out}; the tests use this directly for golden bytes. */
    static void write(Frame frame, ByteBuf out) {
        out.writeByte(frame.type());
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        if (frame instanceof HelloFrame h) {
            byte[] token = h.token().getBytes(StandardCharsets.UTF_8);
            byte[] vm = h.vm().getBytes(StandardCharsets.UTF_8);
            if (token.length > HelloFrame.MAX_TOKEN_BYTES || vm.length == 0 || vm.length > HelloFrame.MAX_VM_BYTES) {
                throw new IllegalArgumentException("token (" + token.length + " bytes, at most "
                        + HelloFrame.MAX_TOKEN_BYTES + ") or VM name (" + vm.length + " bytes, 1-"
                        + HelloFrame.MAX_VM_BYTES + ") does not fit a HELLO");
            }
            out.writeBytes(HelloFrame.MAGIC);
            out.writeShort(h.version());
            out.writeShort(h.flags());
            out.writeLong(h.startOffset());
            out.writeShort(token.length);
            out.writeBytes(token);
            out.writeByte(vm.length);
            out.writeBytes(vm);
        } else if (frame instanceof DataFrame d) {
            if (d.bytes().length == 0 || d.bytes().length > Frame.MAX_DATA_BYTES) {
                throw new IllegalArgumentException("DATA of " + d.bytes().length + " bytes; allowed 1-"
                        + Frame.MAX_DATA_BYTES);
            }
            out.writeLong(d.offset());
            out.writeBytes(d.bytes());
        } else if (frame instanceof HeartbeatFrame h) {
            out.writeLong(h.serverTimeMillis());
            out.writeLong(h.logSize());
            out.writeLong(h.icount());
        } else if (frame instanceof EndFrame e) {
            out.writeLong(e.finalSize());
            out.writeBytes(e.header(), 0, 4);
        } else if (frame instanceof ErrorFrame e) {
            byte[] reason = truncatedUtf8(e.reason(), ErrorFrame.MAX_REASON_BYTES);
            out.writeByte(e.code().wire());
            out.writeShort(reason.length);
            out.writeBytes(reason);
        }
        out.setInt(lengthAt, out.writerIndex() - lengthAt - 4);
    }

    /** Cuts at a character boundary, so the client never sees a broken character. */
    private static byte[] truncatedUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
