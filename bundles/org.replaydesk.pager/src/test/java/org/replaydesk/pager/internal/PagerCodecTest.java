package org.replaydesk.pager.internal;

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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.pager.ChunkHash;

/**
 * The chunk protocol byte by byte: one table of golden frames, each checked in both directions (encoder output equals
 * the bytes, decoder output equals the message), fed whole and one byte at a time; then bad input.
 */
class PagerCodecTest {

    /** Hash with bytes 0x00..0x1f, easy to spell out. */
    static final ChunkHash H1 = ChunkHash.ofBytes(range(0x00));
    /** Hash with bytes 0xa0..0xbf. */
    static final ChunkHash H2 = ChunkHash.ofBytes(range(0xa0));

    private static byte[] range(int first) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** 64 times 'a'. */
    static final byte[] A64 = "a".repeat(64).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** A64 as raw deflate (level 1): one final block with fixed Huffman codes, 'a' then a repeat of 63. */
    static final byte[] A64_DEFLATED = bytes(0x4b, 0x4c, 0xa4, 0x0c, 0x00, 0x00);

    /** A version 4 SESSION-STATUS-REPLY: the version 2 fields, then the VM's CPU time and network bytes. */
    static final PagerMessage.SessionStatusReply V4_STATUS = new PagerMessage.SessionStatusReply(0x0102030405L, "::",
            5750, "none", 1.5, 7, 12_345_678_901L, 8_388_992L);
    /** {@link #V4_STATUS} on the wire. */
    static final byte[] V4_STATUS_WIRE = bytes(
            0x89,                   // type SESSION-STATUS-REPLY
            0x00, 0x00, 0x00, 0x30, // payload length 48 = 8 + (2 + 2) + 2 + (2 + 4) + 8 + 4 + 8 + 8
            0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, // record log bytes
            0x00, 0x02, ':', ':',   // display host "::" (wildcard: the server host itself)
            0x16, 0x76,             // display port 5750
            0x00, 0x04, 'n', 'o', 'n', 'e', // display security
            0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // damaged pixels/s 1.5 (IEEE 754 double)
            0x00, 0x00, 0x00, 0x07, // input events 7
            0x00, 0x00, 0x00, 0x02, 0xdf, 0xdc, 0x1c, 0x35, // VM CPU time 12,345,678,901 ns (version 4)
            0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x80); // VM network bytes 8,388,992 (version 4)

    record Golden(PagerMessage message, byte[] wire, boolean fromClient) {
    }

    static final List<Golden> CASES = List.of(
            new Golden(new PagerMessage.Hello(1, "s3cret"), bytes(
                    0x01,                   // type HELLO
                    0x00, 0x00, 0x00, 0x0e, // payload length 14
                    0x52, 0x44, 0x50, 0x47, // magic "RDPG"
                    0x00, 0x01,             // version 1
                    0x00, 0x06,             // token length 6
                    's', '3', 'c', 'r', 'e', 't'), true),
            new Golden(new PagerMessage.Hello(1, ""), bytes(
                    0x01,                   // type HELLO
                    0x00, 0x00, 0x00, 0x08, // payload length 8
                    0x52, 0x44, 0x50, 0x47, // magic "RDPG"
                    0x00, 0x01,             // version 1
                    0x00, 0x00), true),     // no token
            new Golden(new PagerMessage.Hello(2, "s3cret"), bytes(
                    0x01,                   // type HELLO
                    0x00, 0x00, 0x00, 0x0e, // payload length 14
                    0x52, 0x44, 0x50, 0x47, // magic "RDPG"
                    0x00, 0x02,             // version 2: COMPRESSED-CHUNK welcome
                    0x00, 0x06,             // token length 6
                    's', '3', 'c', 'r', 'e', 't'), true),
            new Golden(new PagerMessage.Hello(PagerMessage.VERSION_VARIABLE_CHUNKS, "s3cret"), bytes(
                    0x01,                   // type HELLO
                    0x00, 0x00, 0x00, 0x0e, // payload length 14
                    0x52, 0x44, 0x50, 0x47, // magic "RDPG"
                    0x00, 0x03,             // version 3: variable chunks (format 2 manifests) welcome
                    0x00, 0x06,             // token length 6
                    's', '3', 'c', 'r', 'e', 't'), true),
            new Golden(new PagerMessage.Hello(PagerMessage.VERSION, "s3cret"), bytes(
                    0x01,                   // type HELLO
                    0x00, 0x00, 0x00, 0x0e, // payload length 14
                    0x52, 0x44, 0x50, 0x47, // magic "RDPG"
                    0x00, 0x04,             // version 4: SESSION-STATUS-REPLY with the VM counters welcome
                    0x00, 0x06,             // token length 6
                    's', '3', 'c', 'r', 'e', 't'), true),
            new Golden(new PagerMessage.ManifestRequest("vm1-s2"), bytes(
                    0x02,                   // type MANIFEST-REQUEST
                    0x00, 0x00, 0x00, 0x08, // payload length 8
                    0x00, 0x06,             // image id length 6
                    'v', 'm', '1', '-', 's', '2'), true),
            new Golden(new PagerMessage.Get(List.of(H1, H2)), concat(bytes(
                    0x03,                   // type GET
                    0x00, 0x00, 0x00, 0x42, // payload length 66 = 2 + 2 * 32
                    0x00, 0x02),            // 2 hashes
                    range(0x00),            // hash 1: 00 01 .. 1f
                    range(0xa0)), true),    // hash 2: a0 a1 .. bf
            new Golden(new PagerMessage.Welcome(1, 256), bytes(
                    0x81,                   // type WELCOME
                    0x00, 0x00, 0x00, 0x04, // payload length 4
                    0x00, 0x01,             // version 1
                    0x01, 0x00), false),    // max batch 256
            new Golden(new PagerMessage.Welcome(2, 256), bytes(
                    0x81,                   // type WELCOME
                    0x00, 0x00, 0x00, 0x04, // payload length 4
                    0x00, 0x02,             // version 2
                    0x01, 0x00), false),    // max batch 256
            new Golden(new PagerMessage.Welcome(3, 256), bytes(
                    0x81,                   // type WELCOME
                    0x00, 0x00, 0x00, 0x04, // payload length 4
                    0x00, 0x03,             // version 3
                    0x01, 0x00), false),    // max batch 256
            new Golden(new PagerMessage.Welcome(4, 256), bytes(
                    0x81,                   // type WELCOME
                    0x00, 0x00, 0x00, 0x04, // payload length 4
                    0x00, 0x04,             // version 4
                    0x01, 0x00), false),    // max batch 256
            new Golden(new PagerMessage.Refused("wrong token"), bytes(
                    0x82,                   // type REFUSED
                    0x00, 0x00, 0x00, 0x0d, // payload length 13
                    0x00, 0x0b,             // reason length 11
                    'w', 'r', 'o', 'n', 'g', ' ', 't', 'o', 'k', 'e', 'n'), false),
            new Golden(new PagerMessage.ManifestReply("{}"), bytes(
                    0x83,                   // type MANIFEST
                    0x00, 0x00, 0x00, 0x02, // payload length 2
                    '{', '}'), false),      // JSON, the rest of the payload
            new Golden(new PagerMessage.Chunk(H2, bytes(0xca, 0xfe, 0x00)), concat(bytes(
                    0x84,                   // type CHUNK
                    0x00, 0x00, 0x00, 0x23), // payload length 35 = 32 + 3
                    range(0xa0),            // hash a0 .. bf
                    bytes(0xca, 0xfe, 0x00)), false), // chunk bytes, the rest of the payload
            new Golden(new PagerMessage.Missing(H1), concat(bytes(
                    0x85,                   // type MISSING
                    0x00, 0x00, 0x00, 0x20), // payload length 32
                    range(0x00)), false),   // hash 00 .. 1f
            new Golden(new PagerMessage.Error(1, "no image"), bytes(
                    0x86,                   // type ERROR
                    0x00, 0x00, 0x00, 0x0c, // payload length 12
                    0x00, 0x01,             // code 1 = NO_SUCH_IMAGE
                    0x00, 0x08,             // message length 8
                    'n', 'o', ' ', 'i', 'm', 'a', 'g', 'e'), false),
            new Golden(new PagerMessage.Error(PagerMessage.ErrorCode.CLIENT_TOO_OLD, "upgrade"), bytes(
                    0x86,                   // type ERROR
                    0x00, 0x00, 0x00, 0x0b, // payload length 11
                    0x00, 0x07,             // code 7 = CLIENT_TOO_OLD (a format 2 manifest for a client below 3)
                    0x00, 0x07,             // message length 7
                    'u', 'p', 'g', 'r', 'a', 'd', 'e'), false),
            new Golden(new PagerMessage.CompressedChunk(H2, A64, A64_DEFLATED), concat(bytes(
                    0x87,                   // type COMPRESSED-CHUNK
                    0x00, 0x00, 0x00, 0x2a), // payload length 42 = 32 + 4 + 6
                    range(0xa0),            // hash a0 .. bf
                    bytes(0x00, 0x00, 0x00, 0x40), // uncompressed length 64
                    A64_DEFLATED), false),  // raw deflate, the rest of the payload
            new Golden(new PagerMessage.SessionSnapshotRequest("far"), bytes(
                    0x04,                   // type SESSION-SNAPSHOT
                    0x00, 0x00, 0x00, 0x05, // payload length 5
                    0x00, 0x03,             // vm name length 3
                    'f', 'a', 'r'), true),
            new Golden(new PagerMessage.SessionStatusRequest("far"), bytes(
                    0x05,                   // type SESSION-STATUS
                    0x00, 0x00, 0x00, 0x05, // payload length 5
                    0x00, 0x03,             // vm name length 3
                    'f', 'a', 'r'), true),
            new Golden(new PagerMessage.SessionSnapshotReply("far-j1", 1_234_567L), bytes(
                    0x88,                   // type SESSION-SNAPSHOT-REPLY
                    0x00, 0x00, 0x00, 0x10, // payload length 16 = 2 + 6 + 8
                    0x00, 0x06,             // tag length 6
                    'f', 'a', 'r', '-', 'j', '1',
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0xd6, 0x87), false), // stall 1234567 us
            new Golden(new PagerMessage.SessionStatusReply(0x0102030405L, "::", 5750, "none", 1.5, 7), bytes(
                    0x89,                   // type SESSION-STATUS-REPLY
                    0x00, 0x00, 0x00, 0x20, // payload length 32 = 8 + (2 + 2) + 2 + (2 + 4) + 8 + 4
                    0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, // record log bytes
                    0x00, 0x02, ':', ':',   // display host "::" (wildcard: the server host itself)
                    0x16, 0x76,             // display port 5750
                    0x00, 0x04, 'n', 'o', 'n', 'e', // display security
                    0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // damaged pixels/s 1.5 (IEEE 754 double)
                    0x00, 0x00, 0x00, 0x07), false), // input events 7
            new Golden(V4_STATUS, V4_STATUS_WIRE, false),
            new Golden(new PagerMessage.SessionStatusReply(0, "", 0, "unknown", -1.0, -1, -1, -1), bytes(
                    0x89,                   // type SESSION-STATUS-REPLY (version 4, nothing known)
                    0x00, 0x00, 0x00, 0x31, // payload length 49 = 8 + 2 + 2 + (2 + 7) + 8 + 4 + 8 + 8
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // record log bytes 0
                    0x00, 0x00,             // display host "" (no display)
                    0x00, 0x00,             // display port 0
                    0x00, 0x07, 'u', 'n', 'k', 'n', 'o', 'w', 'n', // display security
                    0xbf, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // damaged pixels/s -1.0: not measured
                    0xff, 0xff, 0xff, 0xff, // input events -1: not counted
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // VM CPU time -1: unknown
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), false)); // VM network bytes -1: unknown

    /** The golden COMPRESSED-CHUNK of 64 'a's. */
    static final Golden COMPRESSED_A64 = CASES.stream()
            .filter(g -> g.message() instanceof PagerMessage.CompressedChunk).findFirst().orElseThrow();

    private static EmbeddedChannel decoder(boolean fromClient) {
        return new EmbeddedChannel(fromClient ? PagerFrameDecoder.forServer() : PagerFrameDecoder.forClient());
    }

    private static byte[] encode(PagerMessage m) {
        ByteBuf out = Unpooled.buffer();
        PagerFrameEncoder.encode(m, out);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    @Test
    void encoderWritesTheGoldenBytes() {
        for (Golden g : CASES) {
            assertArrayEquals(g.wire(), encode(g.message()), g.message().toString());
        }
    }

    @Test
    void encoderInAPipelineWritesTheGoldenBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(PagerFrameEncoder.INSTANCE);
        for (Golden g : CASES) {
            ch.writeOutbound(g.message());
            ByteBuf out = ch.readOutbound();
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            out.release();
            assertArrayEquals(g.wire(), b, g.message().toString());
        }
    }

    @Test
    void decoderReadsTheGoldenBytesWhole() {
        for (Golden g : CASES) {
            EmbeddedChannel ch = decoder(g.fromClient());
            ch.writeInbound(Unpooled.wrappedBuffer(g.wire()));
            assertEquals(g.message(), ch.readInbound());
            assertNull(ch.readInbound());
        }
    }

    @Test
    void decoderReadsTheGoldenBytesOneByteAtATime() {
        for (boolean fromClient : new boolean[] {true, false}) {
            EmbeddedChannel ch = decoder(fromClient);
            List<PagerMessage> expected = new ArrayList<>();
            for (Golden g : CASES) {
                if (g.fromClient() != fromClient) {
                    continue;
                }
                expected.add(g.message());
                for (byte b : g.wire()) {
                    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                }
            }
            List<PagerMessage> got = new ArrayList<>();
            for (Object m; (m = ch.readInbound()) != null;) {
                got.add((PagerMessage) m);
            }
            assertEquals(expected, got);
        }
    }

    @Test
    void decoderReadsAllFramesInOneBuffer() {
        EmbeddedChannel ch = decoder(false);
        List<PagerMessage> expected = new ArrayList<>();
        List<byte[]> wire = new ArrayList<>();
        for (Golden g : CASES) {
            if (!g.fromClient()) {
                expected.add(g.message());
                wire.add(g.wire());
            }
        }
        ch.writeInbound(Unpooled.wrappedBuffer(concat(wire.toArray(new byte[0][]))));
        for (PagerMessage m : expected) {
            assertEquals(m, ch.readInbound());
        }
    }

    @Test
    void aVersion4StatusReplyArrivesOnlyWithItsLastByte() {
        EmbeddedChannel ch = decoder(false);
        for (int i = 0; i < V4_STATUS_WIRE.length; i++) {
            assertNull(ch.readInbound(), "decoded after " + i + " of " + V4_STATUS_WIRE.length + " bytes");
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {V4_STATUS_WIRE[i]}));
        }
        assertEquals(V4_STATUS, ch.readInbound());
        assertNull(ch.readInbound());
    }

    @Test
    void theVersion4StatusReplyIsTheOldOneWithTheCountersAppended() {
        // What a version 2 or 3 client gets for the same status: the same bytes without the last 16.
        PagerMessage.SessionStatusReply old = new PagerMessage.SessionStatusReply(V4_STATUS.recordLogBytes(),
                V4_STATUS.displayHost(), V4_STATUS.displayPort(), V4_STATUS.displaySecurity(),
                V4_STATUS.damagedPixelsPerSecond(), V4_STATUS.inputEvents());
        byte[] expected = Arrays.copyOf(V4_STATUS_WIRE, V4_STATUS_WIRE.length - 16);
        expected[4] = 0x20; // payload length 32
        assertArrayEquals(expected, encode(old));
        EmbeddedChannel ch = decoder(false);
        ch.writeInbound(Unpooled.wrappedBuffer(expected));
        PagerMessage.SessionStatusReply decoded = ch.readInbound();
        assertEquals(old, decoded);
        assertFalse(decoded.hasVmCounters());
        assertEquals(-1, decoded.vmCpuNanos());
        assertEquals(-1, decoded.vmNetworkBytes());
    }

    @Test
    void aStatusReplyWithoutCountersCannotBeGivenAny() {
        assertThrows(IllegalArgumentException.class, () -> new PagerMessage.SessionStatusReply(0, "", 0, "none", -1,
                -1, 5, -1, false));
        // Any negative counter is the one unknown, so equal statuses are equal messages.
        assertEquals(new PagerMessage.SessionStatusReply(0, "", 0, "none", -1, -1, -1, -1),
                new PagerMessage.SessionStatusReply(0, "", 0, "none", -1, -1, Long.MIN_VALUE, -2));
    }

    @Test
    void aLargeChunkSurvivesARoundTripInSmallPieces() {
        byte[] data = new byte[1 << 20];
        new java.util.Random(4).nextBytes(data);
        PagerMessage.Chunk chunk = new PagerMessage.Chunk(ChunkHash.of(data), data);
        byte[] wire = encode(chunk);
        EmbeddedChannel ch = decoder(false);
        for (int at = 0; at < wire.length; at += 1000) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, at, Math.min(1000, wire.length - at)));
        }
        assertEquals(chunk, ch.readInbound());
    }

    private static String rejection(boolean fromClient, byte[] wire) {
        EmbeddedChannel ch = decoder(fromClient);
        PagerProtocolException e = assertThrows(PagerProtocolException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(wire)));
        // Whatever follows an error is dropped, never decoded as a new frame.
        ch.writeInbound(Unpooled.wrappedBuffer(CASES.get(5).wire()));
        assertNull(ch.readInbound());
        return e.getMessage();
    }

    @Test
    void unknownTypeIsNamed() {
        assertEquals("unknown client message type 0x7f", rejection(true, bytes(0x7f, 0, 0, 0, 0)));
        // A server message sent to a server is as unknown as garbage.
        assertEquals("unknown client message type 0x84", rejection(true, bytes(0x84, 0, 0, 0, 0x20)));
        assertEquals("unknown server message type 0x01", rejection(false, bytes(0x01, 0, 0, 0, 0x08)));
    }

    @Test
    void oversizedLengthFailsBeforeThePayloadArrives() {
        // Only the header: the decoder must not wait for (or buffer) 4 GiB.
        assertEquals("CHUNK frame declares 4294967295 payload bytes, at most 16777248 allowed",
                rejection(false, bytes(0x84, 0xff, 0xff, 0xff, 0xff)));
        assertEquals("GET frame declares 32771 payload bytes, at most 32770 allowed",
                rejection(true, bytes(0x03, 0x00, 0x00, 0x80, 0x03)));
        assertEquals("MISSING frame declares 33 payload bytes, at most 32 allowed",
                rejection(false, bytes(0x85, 0, 0, 0, 33)));
    }

    @Test
    void wrongMagicSaysItIsNoPagerClient() {
        String m = rejection(true, bytes(0x01, 0, 0, 0, 8, 'G', 'E', 'T', ' ', 0, 1, 0, 0));
        assertTrue(m.contains("not the pager magic"), m);
    }

    @Test
    void truncatedAndTrailingContentAreNamed() {
        assertEquals("MISSING is truncated: needs 32 more bytes, the frame has 3",
                rejection(false, bytes(0x85, 0, 0, 0, 3, 1, 2, 3)));
        assertEquals("HELLO token is truncated: needs 5 more bytes, the frame has 1",
                rejection(true, bytes(0x01, 0, 0, 0, 9, 0x52, 0x44, 0x50, 0x47, 0, 1, 0, 5, 'x')));
        assertEquals("WELCOME is truncated: needs 4 more bytes, the frame has 2",
                rejection(false, bytes(0x81, 0, 0, 0, 2, 0, 1)));
        assertEquals("ERROR frame has 1 bytes after its content",
                rejection(false, bytes(0x86, 0, 0, 0, 5, 0, 1, 0, 0, 'x')));
    }

    @Test
    void getCountsAreChecked() {
        assertEquals("GET asks for 0 chunks; 1 to 1024 allowed", rejection(true, bytes(0x03, 0, 0, 0, 2, 0, 0)));
        assertEquals("GET asks for 2000 chunks; 1 to 1024 allowed",
                rejection(true, bytes(0x03, 0, 0, 0, 2, 0x07, 0xd0)));
        assertEquals("GET of 2 hashes is truncated: needs 64 more bytes, the frame has 32",
                rejection(true, concat(bytes(0x03, 0, 0, 0, 34, 0, 2), range(0))));
    }

    @Test
    void textIsCheckedForLengthAndUtf8() {
        assertEquals("REFUSED reason is not valid UTF-8", rejection(false, bytes(0x82, 0, 0, 0, 3, 0, 1, 0xff)));
        byte[] longText = new byte[2 + 2000];
        longText[0] = 0x07;
        longText[1] = (byte) 0xd0;
        assertEquals("MANIFEST-REQUEST frame declares 2002 payload bytes, at most 1026 allowed",
                rejection(true, concat(bytes(0x02, 0, 0, 0x07, 0xd2), longText)));
        assertEquals("ERROR message is 2000 bytes long, at most 1024 allowed",
                rejection(false, bytes(0x86, 0, 0, 0, 6, 0, 3, 0x07, 0xd0, 'a', 'b')));
    }

    @Test
    void encoderCutsLongTextsWithoutSplittingACharacter() {
        String reason = "é".repeat(600); // 1200 UTF-8 bytes
        byte[] wire = encode(new PagerMessage.Refused(reason));
        EmbeddedChannel ch = decoder(false);
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        PagerMessage.Refused got = ch.readInbound();
        assertEquals("é".repeat(512), got.reason());
    }

    /** A COMPRESSED-CHUNK frame for hash H1 with any declared length and deflate bytes. */
    private static byte[] compressedFrame(long declared, byte[] deflated) {
        int payload = 32 + 4 + deflated.length;
        return concat(bytes(0x87, payload >>> 24, payload >>> 16 & 0xff, payload >>> 8 & 0xff, payload & 0xff),
                range(0x00), bytes((int) (declared >>> 24), (int) (declared >>> 16 & 0xff),
                        (int) (declared >>> 8 & 0xff), (int) (declared & 0xff)), deflated);
    }

    /** "cafe00" as a stored (uncompressed) deflate block: final, type 00, LEN 3, NLEN ~3, the bytes. */
    static final byte[] STORED_CAFE00 = bytes(0x01, 0x03, 0x00, 0xfc, 0xff, 0xca, 0xfe, 0x00);

    @Test
    void aStoredDeflateBlockInflatesToItsBytes() {
        // The decoder takes any valid raw deflate, not only what our server's level produces.
        EmbeddedChannel ch = decoder(false);
        ch.writeInbound(Unpooled.wrappedBuffer(compressedFrame(3, STORED_CAFE00)));
        PagerMessage.CompressedChunk got = ch.readInbound();
        assertArrayEquals(bytes(0xca, 0xfe, 0x00), got.data());
        assertEquals(H1, got.hash());
        assertEquals(5 + 32 + 4 + STORED_CAFE00.length, got.wireLength());
    }

    @Test
    void aDeclaredLengthAboveTheLargestChunkFailsBeforeInflating() {
        assertEquals("COMPRESSED-CHUNK " + H1 + " declares 16777217 uncompressed bytes, at most 16777216 allowed",
                rejection(false, compressedFrame(16_777_217L, STORED_CAFE00)));
        assertEquals("COMPRESSED-CHUNK " + H1 + " declares 4294967295 uncompressed bytes, at most 16777216 allowed",
                rejection(false, compressedFrame(0xffff_ffffL, STORED_CAFE00)));
    }

    @Test
    void anInflatedLengthOtherThanTheDeclaredOneIsNamed() {
        assertEquals("COMPRESSED-CHUNK " + H1 + " inflates to 3 bytes, not the declared 4",
                rejection(false, compressedFrame(4, STORED_CAFE00)));
        assertEquals("COMPRESSED-CHUNK " + H1 + " inflates to more than the declared 2 bytes",
                rejection(false, compressedFrame(2, STORED_CAFE00)));
        assertEquals("COMPRESSED-CHUNK " + H1 + " inflates to more than the declared 0 bytes",
                rejection(false, compressedFrame(0, STORED_CAFE00)));
    }

    @Test
    void aZipBombStopsAtTheDeclaredLength() {
        // 16 MiB of zeros deflate to about 16 KiB; declared as 1000 bytes, inflating must stop after 1001.
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
        deflater.setInput(new byte[16 << 20]);
        deflater.finish();
        byte[] buffer = new byte[1 << 20];
        int length = deflater.deflate(buffer);
        deflater.end();
        byte[] bomb = Arrays.copyOf(buffer, length);
        assertTrue(bomb.length < 64 << 10, "a bomb: " + bomb.length + " bytes");
        assertEquals("COMPRESSED-CHUNK " + H1 + " inflates to more than the declared 1000 bytes",
                rejection(false, compressedFrame(1000, bomb)));
    }

    @Test
    void garbageDeflateDataIsNamed() {
        // 0xff: final block of type 11, which deflate reserves.
        assertEquals("COMPRESSED-CHUNK " + H1 + " has corrupt deflate data (invalid block type)",
                rejection(false, compressedFrame(3, bytes(0xff, 0xff, 0xff, 0xff))));
        // A stored block whose NLEN is not LEN's complement.
        assertEquals("COMPRESSED-CHUNK " + H1 + " has corrupt deflate data (invalid stored block lengths)",
                rejection(false, compressedFrame(3, bytes(0x01, 0x03, 0x00, 0x00, 0x00, 0xca, 0xfe, 0x00))));
    }

    @Test
    void truncatedCompressedChunksAreNamed() {
        // The deflate stream stops inside its stored block.
        assertEquals("COMPRESSED-CHUNK " + H1 + " deflate data is truncated: it ends after 2 of the declared 3 bytes "
                + "without an end of stream", rejection(false, compressedFrame(3, Arrays.copyOf(STORED_CAFE00, 7))));
        // No deflate bytes at all.
        assertEquals("COMPRESSED-CHUNK " + H1 + " deflate data is truncated: it ends after 0 of the declared 3 bytes "
                + "without an end of stream", rejection(false, compressedFrame(3, new byte[0])));
        // The frame is too short for its hash and length.
        assertEquals("COMPRESSED-CHUNK is truncated: needs 36 more bytes, the frame has 20",
                rejection(false, concat(bytes(0x87, 0, 0, 0, 20), new byte[20])));
        // Bytes after the deflate stream's end.
        assertEquals("COMPRESSED-CHUNK " + H1 + " has 1 bytes after the end of its deflate stream",
                rejection(false, compressedFrame(3, concat(STORED_CAFE00, bytes('x')))));
    }

    @Test
    void compressedChunkFramesAreBoundedAndServerOnly() {
        assertEquals("COMPRESSED-CHUNK frame declares 16777253 payload bytes, at most 16777252 allowed",
                rejection(false, bytes(0x87, 0x01, 0x00, 0x00, 0x25)));
        assertEquals("unknown client message type 0x87", rejection(true, compressedFrame(3, STORED_CAFE00)));
    }

    @Test
    void theDecoderReusesItsInflaterAcrossFrames() {
        EmbeddedChannel ch = decoder(false);
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(compressedFrame(3, STORED_CAFE00)));
            ch.writeInbound(Unpooled.wrappedBuffer(COMPRESSED_A64.wire()));
        }
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(bytes(0xca, 0xfe, 0x00), ((PagerMessage.CompressedChunk) ch.readInbound()).data());
            assertArrayEquals(A64, ((PagerMessage.CompressedChunk) ch.readInbound()).data());
        }
        assertNull(ch.readInbound());
    }

    @Test
    void helloNeverShowsTheToken() {
        assertFalse(new PagerMessage.Hello(1, "s3cret").toString().contains("s3cret"));
        assertTrue(Arrays.equals(new byte[0], new byte[0]));
    }
}
