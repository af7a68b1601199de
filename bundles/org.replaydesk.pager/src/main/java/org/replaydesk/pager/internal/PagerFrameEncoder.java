package org.replaydesk.pager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import org.replaydesk.pager.ChunkHash;

/** Writes {@link PagerMessage}s as frames (both directions); stateless, so one instance serves every channel. */
@Sharable
final class PagerFrameEncoder extends MessageToByteEncoder<PagerMessage> {

    static final PagerFrameEncoder INSTANCE = new PagerFrameEncoder();

    private PagerFrameEncoder() {
        super(PagerMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PagerMessage message, ByteBuf out) {
        encode(message, out);
    }

    /** Writes one frame; also used by tests to build golden bytes' counterparts. */
    static void encode(PagerMessage message, ByteBuf out) {
        int start = out.writerIndex();
        out.writeByte(type(message));
        out.writeInt(0);
        if (message instanceof PagerMessage.Hello m) {
            out.writeInt(PagerMessage.MAGIC);
            out.writeShort(m.version());
            text(out, m.token());
        } else if (message instanceof PagerMessage.ManifestRequest m) {
            text(out, m.imageId());
        } else if (message instanceof PagerMessage.Get m) {
            out.writeShort(m.hashes().size());
            for (ChunkHash h : m.hashes()) {
                out.writeBytes(h.toBytes());
            }
        } else if (message instanceof PagerMessage.SessionSnapshotRequest m) {
            text(out, m.vm());
        } else if (message instanceof PagerMessage.SessionStatusRequest m) {
            text(out, m.vm());
        } else if (message instanceof PagerMessage.SessionSnapshotReply m) {
            text(out, m.tag());
            out.writeLong(m.stallMicros());
        } else if (message instanceof PagerMessage.SessionStatusReply m) {
            out.writeLong(m.recordLogBytes());
            text(out, m.displayHost());
            out.writeShort(m.displayPort());
            text(out, m.displaySecurity());
            out.writeDouble(m.damagedPixelsPerSecond());
            out.writeInt(m.inputEvents());
            if (m.hasVmCounters()) {
                out.writeLong(m.vmCpuNanos());
                out.writeLong(m.vmNetworkBytes());
            }
        } else if (message instanceof PagerMessage.Welcome m) {
            out.writeShort(m.version());
            out.writeShort(m.maxBatch());
        } else if (message instanceof PagerMessage.Refused m) {
            text(out, m.reason());
        } else if (message instanceof PagerMessage.ManifestReply m) {
            out.writeBytes(m.json().getBytes(StandardCharsets.UTF_8));
        } else if (message instanceof PagerMessage.Chunk m) {
            out.writeBytes(m.hash().toBytes());
            out.writeBytes(m.data());
        } else if (message instanceof PagerMessage.CompressedChunk m) {
            out.writeBytes(m.hash().toBytes());
            out.writeInt(m.data().length);
            out.writeBytes(m.deflated());
        } else if (message instanceof PagerMessage.Missing m) {
            out.writeBytes(m.hash().toBytes());
        } else if (message instanceof PagerMessage.Error m) {
            out.writeShort(m.code());
            text(out, m.message());
        }
        out.setInt(start + 1, out.writerIndex() - start - PagerFrameDecoder.HEADER);
    }

    private static int type(PagerMessage message) {
        if (message instanceof PagerMessage.Hello) {
            return PagerMessage.Hello.TYPE;
        } else if (message instanceof PagerMessage.ManifestRequest) {
            return PagerMessage.ManifestRequest.TYPE;
        } else if (message instanceof PagerMessage.Get) {
            return PagerMessage.Get.TYPE;
        } else if (message instanceof PagerMessage.SessionSnapshotRequest) {
            return PagerMessage.SessionSnapshotRequest.TYPE;
        } else if (message instanceof PagerMessage.SessionStatusRequest) {
            return PagerMessage.SessionStatusRequest.TYPE;
        } else if (message instanceof PagerMessage.SessionSnapshotReply) {
            return PagerMessage.SessionSnapshotReply.TYPE;
        } else if (message instanceof PagerMessage.SessionStatusReply) {
            return PagerMessage.SessionStatusReply.TYPE;
        } else if (message instanceof PagerMessage.Welcome) {
            return PagerMessage.Welcome.TYPE;
        } else if (message instanceof PagerMessage.Refused) {
            return PagerMessage.Refused.TYPE;
        } else if (message instanceof PagerMessage.ManifestReply) {
            return PagerMessage.ManifestReply.TYPE;
        } else if (message instanceof PagerMessage.Chunk) {
            return PagerMessage.Chunk.TYPE;
        } else if (message instanceof PagerMessage.CompressedChunk) {
            return PagerMessage.CompressedChunk.TYPE;
        } else if (message instanceof PagerMessage.Missing) {
            return PagerMessage.Missing.TYPE;
        }
        return PagerMessage.Error.TYPE;
    }

    /** A u16 length and UTF-8 bytes; longer texts (reasons, messages) are cut to what the decoder accepts. */
    private static void text(ByteBuf out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, PagerMessage.MAX_TEXT);
        // Cutting must not split a UTF-8 sequence: back up over continuation bytes.
        while (length < bytes.length && length > 0 && (bytes[length] & 0xc0) == 0x80) {
            length--;
        }
        out.writeShort(length);
        out.writeBytes(bytes, 0, length);
    }
}
