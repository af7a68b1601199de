package org.replaydesk.recordlog.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns bytes into {@link Frame}s for one side of the connection. The length is checked against the frame type's
 * limit before a single payload byte is waited for, so garbage can never make it buffer more than the largest legal
 * frame; anything wrong becomes a {@link ProtocolException} naming the problem and the stream offset where it was
 * found, after which the rest of the input is discarded.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    /** Which frames a peer may send. */
    enum Side {
        /** The server reads: HELLO only. */
        SERVER,
        /** The client reads: DATA, HEARTBEAT, END, ERROR. */
        CLIENT
    }

    private final Side side;
    private long streamOffset;
    private boolean failed;

    FrameDecoder(Side side) {
        this.side = side;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            while (in.readableBytes() >= Frame.HEADER_BYTES) {
                int start = in.readerIndex();
                byte type = in.getByte(start);
                long length = in.getUnsignedInt(start + 1);
                checkLength(type, length);
                if (in.readableBytes() < Frame.HEADER_BYTES + length) {
                    return;
                }
                in.skipBytes(Frame.HEADER_BYTES);
                ByteBuf payload = in.readSlice((int) length);
                out.add(parse(type, payload));
                streamOffset += Frame.HEADER_BYTES + length;
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void checkLength(byte type, long length) {
        long min;
        long max;
        switch (side == Side.SERVER ? (type == Frame.TYPE_HELLO ? type : -1) : type) {
            case Frame.TYPE_HELLO -> {
                min = HelloFrame.MIN_PAYLOAD;
                max = HelloFrame.MAX_PAYLOAD;
            }
            case Frame.TYPE_DATA -> {
                min = 8 + 1;
                max = 8 + Frame.MAX_DATA_BYTES;
            }
            case Frame.TYPE_HEARTBEAT -> {
                min = HeartbeatFrame.PAYLOAD;
                max = HeartbeatFrame.PAYLOAD;
            }
            case Frame.TYPE_END -> {
                min = EndFrame.PAYLOAD;
                max = EndFrame.PAYLOAD;
            }
            case Frame.TYPE_ERROR -> {
                min = ErrorFrame.MIN_PAYLOAD;
                max = ErrorFrame.MAX_PAYLOAD;
            }
            default -> throw error("unknown frame type 0x" + HexFormat.of().toHexDigits(type) + " (a "
                    + (side == Side.SERVER ? "server accepts only HELLO 0x01" : "client accepts 0x02-0x05")
                    + "; is this a record-log " + (side == Side.SERVER ? "client" : "server") + "?)");
        }
        if (side == Side.CLIENT && type == Frame.TYPE_HELLO) {
            throw error("unknown frame type 0x01 from a server");
        }
        if (length < min || length > max) {
            throw error("frame type 0x" + HexFormat.of().toHexDigits(type) + " has payload length " + length
                    + ", allowed " + min + (min == max ? "" : "-" + max));
        }
    }

    private Frame parse(byte type, ByteBuf p) {
        return switch (type) {
            case Frame.TYPE_HELLO -> parseHello(p);
            case Frame.TYPE_DATA -> {
                long offset = p.readLong();
                if (offset < 0) {
                    throw error("DATA offset " + Long.toUnsignedString(offset) + " is beyond 2^63");
                }
                byte[] bytes = new byte[p.readableBytes()];
                p.readBytes(bytes);
                yield new DataFrame(offset, bytes);
            }
            case Frame.TYPE_HEARTBEAT -> {
                long time = p.readLong();
                long size = p.readLong();
                long icount = p.readLong();
                if (size < 0) {
                    throw error("HEARTBEAT log size " + Long.toUnsignedString(size) + " is beyond 2^63");
                }
                yield new HeartbeatFrame(time, size, icount);
            }
            case Frame.TYPE_END -> {
                long size = p.readLong();
                if (size < 0) {
                    throw error("END final size " + Long.toUnsignedString(size) + " is beyond 2^63");
                }
                byte[] header = new byte[4];
                p.readBytes(header);
                yield new EndFrame(size, header);
            }
            case Frame.TYPE_ERROR -> {
                int wire = p.readUnsignedByte();
                int length = p.readUnsignedShort();
                if (length != p.readableBytes()) {
                    throw error("ERROR reason length " + length + " does not match the " + p.readableBytes()
                            + " bytes left in the frame");
                }
                ErrorCode code = ErrorCode.fromWire(wire);
                String reason = utf8(p, "ERROR reason");
                if (code == null) {
                    throw error("unknown ERROR code " + wire + " (reason: " + reason + ")");
                }
                yield new ErrorFrame(code, reason);
            }
            default -> throw new IllegalStateException("type checked before: " + type);
        };
    }

    private HelloFrame parseHello(ByteBuf p) {
        byte[] magic = new byte[HelloFrame.MAGIC.length];
        p.readBytes(magic);
        if (!Arrays.equals(magic, HelloFrame.MAGIC)) {
            throw error("HELLO magic is " + HexFormat.of().formatHex(magic) + ", expected 52444c47 (\"RDLG\")");
        }
        int version = p.readUnsignedShort();
        int flags = p.readUnsignedShort();
        long start = p.readLong();
        if (start < 0) {
            throw error("HELLO start offset " + Long.toUnsignedString(start) + " is beyond 2^63");
        }
        int tokenLength = p.readUnsignedShort();
        if (tokenLength > HelloFrame.MAX_TOKEN_BYTES || tokenLength + 1 > p.readableBytes()) {
            throw error("HELLO token length " + tokenLength + " does not fit the frame (at most "
                    + HelloFrame.MAX_TOKEN_BYTES + ")");
        }
        String token = utf8(p.readSlice(tokenLength), "HELLO token");
        int vmLength = p.readUnsignedByte();
        if (vmLength == 0 || vmLength != p.readableBytes()) {
            throw error("HELLO VM name length " + vmLength + " does not match the " + p.readableBytes()
                    + " bytes left in the frame");
        }
        String vm = utf8(p, "HELLO VM name");
        return new HelloFrame(version, flags, start, token, vm);
    }

    private String utf8(ByteBuf bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw error(what + " is not valid UTF-8");
        } finally {
            bytes.skipBytes(bytes.readableBytes());
        }
    }

    private ProtocolException error(String problem) {
        return new ProtocolException("bad record-log frame at stream byte " + streamOffset + ": " + problem);
    }
}
