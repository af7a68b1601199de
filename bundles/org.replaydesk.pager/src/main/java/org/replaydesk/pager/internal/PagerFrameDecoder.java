package org.replaydesk.pager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.Manifest;

/**
 * Turns frames into {@link PagerMessage}s. One instance decodes one direction: a server's decoder accepts only client
 * messages and the other way round. The frame header is checked before its payload is awaited, so an unknown type or
 * an oversized length fails at once with a {@link PagerProtocolException} instead of waiting for (or buffering) bytes
 * that should never come. After an error the decoder drops everything that follows.
 */
final class PagerFrameDecoder extends ByteToMessageDecoder {

    /** Type byte + 4 length bytes. */
    static final int HEADER = 5;

    private final boolean fromClient;
    private boolean failed;
    /** Created on the first COMPRESSED-CHUNK, then reused; released when the channel goes. */
    private Inflater inflater;

    private PagerFrameDecoder(boolean fromClient) {
        this.fromClient = fromClient;
    }

    /** @return a decoder for a server, reading what clients send */
    static PagerFrameDecoder forServer() {
        return new PagerFrameDecoder(true);
    }

    /** @return a decoder for a client, reading what servers send */
    static PagerFrameDecoder forClient() {
        return new PagerFrameDecoder(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HEADER) {
            return;
        }
        int start = in.readerIndex();
        int type = in.getUnsignedByte(start);
        long length = in.getUnsignedInt(start + 1);
        long max = maxPayload(type);
        if (max < 0) {
            throw fail(String.format("unknown %s message type 0x%02x", fromClient ? "client" : "server", type));
        }
        if (length > max) {
            throw fail(String.format("%s frame declares %d payload bytes, at most %d allowed", name(type), length,
                    max));
        }
        if (in.readableBytes() < HEADER + length) {
            return;
        }
        in.skipBytes(HEADER);
        ByteBuf payload = in.readSlice((int) length);
        PagerMessage message = parse(type, payload);
        if (payload.isReadable()) {
            throw fail(name(type) + " frame has " + payload.readableBytes() + " bytes after its content");
        }
        out.add(message);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    private PagerProtocolException fail(String message) {
        failed = true;
        return new PagerProtocolException(message);
    }

    /** @return the largest payload a type may have, or -1 when this direction has no such type */
    private long maxPayload(int type) {
        if (fromClient) {
            switch (type) {
                case PagerMessage.Hello.TYPE: return 4 + 2 + 2 + PagerMessage.MAX_TEXT;
                case PagerMessage.ManifestRequest.TYPE: return 2 + PagerMessage.MAX_TEXT;
                case PagerMessage.Get.TYPE: return 2 + (long) ChunkHash.LENGTH * PagerMessage.MAX_BATCH;
                case PagerMessage.SessionSnapshotRequest.TYPE: return 2 + PagerMessage.MAX_TEXT;
                case PagerMessage.SessionStatusRequest.TYPE: return 2 + PagerMessage.MAX_TEXT;
                default: return -1;
            }
        }
        switch (type) {
            case PagerMessage.Welcome.TYPE: return 4;
            case PagerMessage.Refused.TYPE: return 2 + PagerMessage.MAX_TEXT;
            case PagerMessage.ManifestReply.TYPE: return PagerMessage.MAX_MANIFEST;
            case PagerMessage.Chunk.TYPE: return ChunkHash.LENGTH + Manifest.MAX_CHUNK_SIZE;
            case PagerMessage.Missing.TYPE: return ChunkHash.LENGTH;
            case PagerMessage.Error.TYPE: return 2 + 2 + PagerMessage.MAX_TEXT;
            case PagerMessage.SessionSnapshotReply.TYPE: return 2 + PagerMessage.MAX_TEXT + 8;
            case PagerMessage.SessionStatusReply.TYPE: return 8 + 2 + PagerMessage.MAX_TEXT + 2 + 2
                    + PagerMessage.MAX_TEXT + 8 + 4 + PagerMessage.SessionStatusReply.VM_COUNTERS_LENGTH;
            // A deflate stream longer than the largest chunk saves nothing; the server never sends one.
            case PagerMessage.CompressedChunk.TYPE: return ChunkHash.LENGTH + 4 + Manifest.MAX_CHUNK_SIZE;
            default: return -1;
        }
    }

    static String name(int type) {
        switch (type) {
            case PagerMessage.Hello.TYPE: return "HELLO";
            case PagerMessage.ManifestRequest.TYPE: return "MANIFEST-REQUEST";
            case PagerMessage.Get.TYPE: return "GET";
            case PagerMessage.SessionSnapshotRequest.TYPE: return "SESSION-SNAPSHOT";
            case PagerMessage.SessionStatusRequest.TYPE: return "SESSION-STATUS";
            case PagerMessage.SessionSnapshotReply.TYPE: return "SESSION-SNAPSHOT-REPLY";
            case PagerMessage.SessionStatusReply.TYPE: return "SESSION-STATUS-REPLY";
            case PagerMessage.Welcome.TYPE: return "WELCOME";
            case PagerMessage.Refused.TYPE: return "REFUSED";
            case PagerMessage.ManifestReply.TYPE: return "MANIFEST";
            case PagerMessage.Chunk.TYPE: return "CHUNK";
            case PagerMessage.Missing.TYPE: return "MISSING";
            case PagerMessage.Error.TYPE: return "ERROR";
            case PagerMessage.CompressedChunk.TYPE: return "COMPRESSED-CHUNK";
            default: return String.format("0x%02x", type);
        }
    }

    private PagerMessage parse(int type, ByteBuf p) {
        String name = name(type);
        switch (type) {
            case PagerMessage.Hello.TYPE: {
                need(p, 4 + 2, name);
                int magic = p.readInt();
                if (magic != PagerMessage.MAGIC) {
                    throw fail(String.format("HELLO starts with 0x%08x, not the pager magic 0x%08x (\"RDPG\"): "
                            + "not a pager client", magic, PagerMessage.MAGIC));
                }
                int version = p.readUnsignedShort();
                return new PagerMessage.Hello(version, text(p, name + " token"));
            }
            case PagerMessage.ManifestRequest.TYPE:
                return new PagerMessage.ManifestRequest(text(p, name + " image id"));
            case PagerMessage.Get.TYPE: {
                need(p, 2, name);
                int count = p.readUnsignedShort();
                if (count == 0 || count > PagerMessage.MAX_BATCH) {
                    throw fail("GET asks for " + count + " chunks; 1 to " + PagerMessage.MAX_BATCH + " allowed");
                }
                need(p, count * ChunkHash.LENGTH, name + " of " + count + " hashes");
                List<ChunkHash> hashes = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    hashes.add(hash(p));
                }
                return new PagerMessage.Get(List.copyOf(hashes));
            }
            case PagerMessage.SessionSnapshotRequest.TYPE:
                return new PagerMessage.SessionSnapshotRequest(text(p, name + " vm"));
            case PagerMessage.SessionStatusRequest.TYPE:
                return new PagerMessage.SessionStatusRequest(text(p, name + " vm"));
            case PagerMessage.SessionSnapshotReply.TYPE: {
                String tag = text(p, name + " tag");
                need(p, 8, name + " stall");
                long stall = p.readLong();
                if (stall < 0) {
                    throw fail(name + " stall " + stall + " us is negative");
                }
                return new PagerMessage.SessionSnapshotReply(tag, stall);
            }
            case PagerMessage.SessionStatusReply.TYPE: {
                need(p, 8, name + " log size");
                long log = p.readLong();
                if (log < 0) {
                    throw fail(name + " log size " + log + " is negative");
                }
                String host = text(p, name + " display host");
                need(p, 2, name + " display port");
                int port = p.readUnsignedShort();
                String security = text(p, name + " display security");
                need(p, 8 + 4, name + " interaction");
                double damage = p.readDouble();
                int inputs = p.readInt();
                // The forms are told apart by length, since this decoder does not know the connection's version: no
                // bytes left is the form of versions 2 and 3, exactly the two counters that of version 4. The client
                // checks the form against its connection's version (ChunkConnection).
                int rest = p.readableBytes();
                if (rest == 0) {
                    return new PagerMessage.SessionStatusReply(log, host, port, security, damage, inputs);
                }
                if (rest != PagerMessage.SessionStatusReply.VM_COUNTERS_LENGTH) {
                    throw fail(name + " has " + rest + " bytes after its interaction fields; 0 (versions 2 and 3) "
                            + "or " + PagerMessage.SessionStatusReply.VM_COUNTERS_LENGTH + " (version "
                            + PagerMessage.VERSION_VM_COUNTERS + ": VM CPU time and network bytes) allowed");
                }
                long vmCpuNanos = p.readLong();
                long vmNetworkBytes = p.readLong();
                return new PagerMessage.SessionStatusReply(log, host, port, security, damage, inputs, vmCpuNanos,
                        vmNetworkBytes);
            }
            case PagerMessage.Welcome.TYPE:
                need(p, 4, name);
                return new PagerMessage.Welcome(p.readUnsignedShort(), p.readUnsignedShort());
            case PagerMessage.Refused.TYPE:
                return new PagerMessage.Refused(text(p, name + " reason"));
            case PagerMessage.ManifestReply.TYPE:
                return new PagerMessage.ManifestReply(utf8(p, p.readableBytes(), "MANIFEST json"));
            case PagerMessage.Chunk.TYPE: {
                need(p, ChunkHash.LENGTH, name);
                ChunkHash hash = hash(p);
                byte[] data = new byte[p.readableBytes()];
                p.readBytes(data);
                return new PagerMessage.Chunk(hash, data);
            }
            case PagerMessage.CompressedChunk.TYPE: {
                need(p, ChunkHash.LENGTH + 4, name);
                ChunkHash hash = hash(p);
                long length = p.readUnsignedInt();
                byte[] deflated = new byte[p.readableBytes()];
                p.readBytes(deflated);
                if (inflater == null) {
                    inflater = ChunkCompression.newInflater();
                }
                try {
                    return new PagerMessage.CompressedChunk(hash, ChunkCompression.inflate(inflater, deflated, length),
                            deflated);
                } catch (DataFormatException e) {
                    throw fail(name + " " + hash + " " + e.getMessage());
                }
            }
            case PagerMessage.Missing.TYPE:
                need(p, ChunkHash.LENGTH, name);
                return new PagerMessage.Missing(hash(p));
            case PagerMessage.Error.TYPE: {
                need(p, 2, name);
                int code = p.readUnsignedShort();
                return new PagerMessage.Error(code, text(p, name + " message"));
            }
            default:
                throw new IllegalStateException("type checked in maxPayload");
        }
    }

    private void need(ByteBuf p, int bytes, String what) {
        if (p.readableBytes() < bytes) {
            throw fail(what + " is truncated: needs " + bytes + " more bytes, the frame has " + p.readableBytes());
        }
    }

    private static ChunkHash hash(ByteBuf p) {
        byte[] h = new byte[ChunkHash.LENGTH];
        p.readBytes(h);
        return ChunkHash.ofBytes(h);
    }

    /** A u16 length and that many UTF-8 bytes. */
    private String text(ByteBuf p, String what) {
        need(p, 2, what + " length");
        int length = p.readUnsignedShort();
        if (length > PagerMessage.MAX_TEXT) {
            throw fail(what + " is " + length + " bytes long, at most " + PagerMessage.MAX_TEXT + " allowed");
        }
        need(p, length, what);
        return utf8(p, length, what);
    }

    private String utf8(ByteBuf p, int length, String what) {
        ByteBuffer bytes = p.nioBuffer(p.readerIndex(), length);
        p.skipBytes(length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8");
        }
    }
}
