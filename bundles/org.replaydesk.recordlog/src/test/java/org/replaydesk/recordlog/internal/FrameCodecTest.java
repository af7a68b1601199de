package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes for every frame (one table used by the encoder and decoder tests), byte-at-a-time decoding, and bad
 * input: each gives a {@link ProtocolException} that names the problem, at once, without buffering a payload.
 */
class FrameCodecTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A frame and its exact wire bytes. */
    private record Golden(Frame frame, byte[] wire, FrameDecoder.Side readBy) {
    }

    static final List<Golden> GOLDEN = List.of(
            new Golden(new HelloFrame(1, HelloFrame.FLAG_ZLIB, 0x1234, "tk", "vm1"), bytes(
                    0x01, // type HELLO
                    0x00, 0x00, 0x00, 0x18, // payload length 24
                    'R', 'D', 'L', 'G', // magic
                    0x00, 0x01, // version 1
                    0x00, 0x01, // flags: zlib
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, // start offset 0x1234
                    0x00, 0x02, 't', 'k', // token length 2, "tk"
                    0x03, 'v', 'm', '1'), // VM name length 3, "vm1"
                    FrameDecoder.Side.SERVER),
            new Golden(new HelloFrame(1, 0, 0, "", "a"), bytes(
                    0x01, // type HELLO
                    0x00, 0x00, 0x00, 0x14, // payload length 20
                    'R', 'D', 'L', 'G', // magic
                    0x00, 0x01, // version 1
                    0x00, 0x00, // flags: none
                    0, 0, 0, 0, 0, 0, 0, 0, // start offset 0
                    0x00, 0x00, // no token
                    0x01, 'a'), // VM name "a"
                    FrameDecoder.Side.SERVER),
            new Golden(new DataFrame(12, bytes(0xde, 0xad, 0xbe)), bytes(
                    0x02, // type DATA
                    0x00, 0x00, 0x00, 0x0b, // payload length 11
                    0, 0, 0, 0, 0, 0, 0, 0x0c, // offset 12
                    0xde, 0xad, 0xbe), // log bytes
                    FrameDecoder.Side.CLIENT),
            new Golden(new HeartbeatFrame(1_700_000_000_123L, 4096, 13_790_000_000L), bytes(
                    0x03, // type HEARTBEAT
                    0x00, 0x00, 0x00, 0x18, // payload length 24
                    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, // server time 1700000000123 ms
                    0, 0, 0, 0, 0, 0, 0x10, 0x00, // log size 4096
                    0x00, 0x00, 0x00, 0x03, 0x35, 0xf2, 0xb3, 0x80), // icount 13790000000
                    FrameDecoder.Side.CLIENT),
            new Golden(new HeartbeatFrame(5, 0, HeartbeatFrame.UNKNOWN_ICOUNT), bytes(
                    0x03, // type HEARTBEAT
                    0x00, 0x00, 0x00, 0x18, // payload length 24
                    0, 0, 0, 0, 0, 0, 0, 5, // server time 5 ms
                    0, 0, 0, 0, 0, 0, 0, 0, // log size 0
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // icount unknown
                    FrameDecoder.Side.CLIENT),
            new Golden(new EndFrame(70_000, bytes(0x00, 0xe0, 0x20, 0x0c)), bytes(
                    0x04, // type END
                    0x00, 0x00, 0x00, 0x0c, // payload length 12
                    0, 0, 0, 0, 0, 0x01, 0x11, 0x70, // final size 70000
                    0x00, 0xe0, 0x20, 0x0c), // header: QEMU 7.2 log version 0x00e0200c
                    FrameDecoder.Side.CLIENT),
            new Golden(new ErrorFrame(ErrorCode.NOT_FOUND, "no é"), bytes(
                    0x05, // type ERROR
                    0x00, 0x00, 0x00, 0x08, // payload length 8
                    0x03, // code NOT_FOUND
                    0x00, 0x05, // reason length 5 (UTF-8 bytes)
                    'n', 'o', ' ', 0xc3, 0xa9), // "no é"
                    FrameDecoder.Side.CLIENT));

    private static byte[] encode(Frame frame) {
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.write(frame, out);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    /** Records are compared by content; byte arrays need a hand. */
    private static void assertFrameEquals(Frame expected, Object actual) {
        if (expected instanceof DataFrame d && actual instanceof DataFrame a) {
            assertEquals(d.offset(), a.offset());
            assertArrayEquals(d.bytes(), a.bytes());
        } else {
            assertEquals(expected, actual);
        }
    }

    @Test
    void encoderWritesGoldenBytes() {
        for (Golden g : GOLDEN) {
            assertArrayEquals(g.wire(), encode(g.frame()), g.frame().toString());
        }
    }

    @Test
    void encoderThroughThePipeline() {
        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        Golden g = GOLDEN.get(2);
        channel.writeOutbound(g.frame());
        ByteBuf out = channel.readOutbound();
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        out.release();
        assertArrayEquals(g.wire(), b);
    }

    @Test
    void decoderReadsGoldenBytesWhole() {
        for (Golden g : GOLDEN) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(g.readBy()));
            channel.writeInbound(Unpooled.wrappedBuffer(g.wire()));
            assertFrameEquals(g.frame(), channel.readInbound());
            assertNull(channel.readInbound());
        }
    }

    @Test
    void decoderReadsGoldenBytesOneByteAtATime() {
        for (Golden g : GOLDEN) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(g.readBy()));
            for (int i = 0; i < g.wire().length; i++) {
                assertNull(channel.readInbound(), "frame complete before byte " + i);
                channel.writeInbound(Unpooled.wrappedBuffer(g.wire(), i, 1));
            }
            assertFrameEquals(g.frame(), channel.readInbound());
        }
    }

    @Test
    void decoderReadsConsecutiveFramesSplitAnywhere() {
        ByteBuf all = Unpooled.buffer();
        List<Frame> expected = new ArrayList<>();
        for (Golden g : GOLDEN) {
            if (g.readBy() == FrameDecoder.Side.CLIENT) {
                all.writeBytes(g.wire());
                expected.add(g.frame());
            }
        }
        byte[] wire = new byte[all.readableBytes()];
        all.readBytes(wire);
        for (int split = 1; split < wire.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameDecoder.Side.CLIENT));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            for (Frame f : expected) {
                assertFrameEquals(f, channel.readInbound());
            }
            assertNull(channel.readInbound());
        }
    }

    private static String rejected(FrameDecoder.Side side, int... wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(side));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(bytes(wire))));
        // after an error the decoder swallows the rest instead of guessing at frame boundaries
        channel.writeInbound(Unpooled.wrappedBuffer(GOLDEN.get(2).wire()));
        assertNull(channel.readInbound());
        return e.getMessage();
    }

    @Test
    void unknownTypeIsNamedAtOnce() {
        String m = rejected(FrameDecoder.Side.CLIENT, 'H', 'T', 'T', 'P', '/');
        assertEquals("bad record-log frame at stream byte 0: unknown frame type 0x48 (a client accepts 0x02-0x05; "
                + "is this a record-log server?)", m);
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x02, 0, 0, 0, 9).contains("a server accepts only HELLO"));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x01, 0, 0, 0, 18).contains("unknown frame type 0x01"));
    }

    @Test
    void hugeLengthIsRejectedBeforeAnyPayloadArrives() {
        // 4 GiB DATA: refused from the 5 header bytes alone, so nothing is buffered or allocated for it
        assertEquals("bad record-log frame at stream byte 0: frame type 0x02 has payload length 4294967295, allowed "
                + "9-65544", rejected(FrameDecoder.Side.CLIENT, 0x02, 0xff, 0xff, 0xff, 0xff));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x03, 0, 0, 0, 23).contains("allowed 24"));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x02, 0, 0, 0, 8).contains("allowed 9-65544"));
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0x01, 0, 0).contains("allowed 19-1298"));
    }

    @Test
    void badFieldsAreNamed() {
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0, 0, 20, 'G', 'E', 'T', ' ', 0, 1, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 'a').contains("HELLO magic is 47455420, expected 52444c47"));
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0, 0, 20, 'R', 'D', 'L', 'G', 0, 1, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 9, 1, 'a').contains("HELLO token length 9 does not fit"));
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0, 0, 21, 'R', 'D', 'L', 'G', 0, 1, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 'a', 'b').contains("HELLO VM name length 1 does not match the 2 bytes left"));
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0, 0, 20, 'R', 'D', 'L', 'G', 0, 1, 0, 0, 0x80, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 1, 'a').contains("HELLO start offset 9223372036854775808 is beyond 2^63"));
        assertTrue(rejected(FrameDecoder.Side.SERVER, 0x01, 0, 0, 0, 20, 'R', 'D', 'L', 'G', 0, 1, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 1, 0xff).contains("HELLO VM name is not valid UTF-8"));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x05, 0, 0, 0, 4, 0x63, 0, 1, 'x')
                .contains("unknown ERROR code 99 (reason: x)"));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x05, 0, 0, 0, 4, 0x01, 0, 7, 'x')
                .contains("ERROR reason length 7 does not match the 1 bytes left"));
        assertTrue(rejected(FrameDecoder.Side.CLIENT, 0x02, 0, 0, 0, 9, 0xff, 0, 0, 0, 0, 0, 0, 0, 1)
                .contains("DATA offset 18374686479671623680 is beyond 2^63"));
    }

    @Test
    void errorPositionCountsEarlierFrames() {
        byte[] good = GOLDEN.get(2).wire();
        byte[] wire = new byte[good.length + 5];
        System.arraycopy(good, 0, wire, 0, good.length);
        wire[good.length] = 0x7f;
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameDecoder.Side.CLIENT));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(wire)));
        assertTrue(e.getMessage().startsWith("bad record-log frame at stream byte 16: unknown frame type 0x7f"),
                e.getMessage());
        assertFrameEquals(GOLDEN.get(2).frame(), channel.readInbound());
    }

    @Test
    void encoderRefusesWhatTheDecoderWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> encode(new DataFrame(0, new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> encode(new DataFrame(0, new byte[65537])));
        assertThrows(IllegalArgumentException.class, () -> encode(new HelloFrame(1, 0, 0, "x".repeat(1025), "a")));
        // a long reason is cut at a character boundary, never mid-character
        byte[] wire = encode(new ErrorFrame(ErrorCode.SERVER_ERROR, "é".repeat(600)));
        assertEquals(5 + 3 + 1024, wire.length);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameDecoder.Side.CLIENT));
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        ErrorFrame decoded = channel.readInbound();
        assertEquals("é".repeat(512), decoded.reason());
        assertFalse(new HelloFrame(1, 0, 0, "secret", "a").toString().contains("secret"));
    }
}
