package org.replaydesk.rfb.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_ENCODED_DATA;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_FIELD;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_PIXEL_FORMAT;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_PROTOCOL_VERSION;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_RECTANGLE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;
import static org.replaydesk.rfb.RfbProtocolException.Reason.CONNECTION_FAILED;
import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.UNKNOWN_MESSAGE_TYPE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.UNSUPPORTED_ENCODING;
import static org.replaydesk.rfb.TestBytes.ascii;
import static org.replaydesk.rfb.TestBytes.bytes;
import static org.replaydesk.rfb.TestBytes.concat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.RfbProtocolException.Reason;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.TestBytes;
import org.replaydesk.rfb.VeNCryptSubtypes;

/**
 * Hostile or broken input: every decoder fails with an {@link RfbProtocolException} whose reason and text say what was
 * wrong, without waiting for or allocating an announced length first, and then discards all further input.
 */
class BadInputTest {

    private static Supplier<ChannelHandler> server() {
        return () -> new ServerMessageDecoder(PixelFormat.RGB888_LE, 800, 600);
    }

    /** FramebufferUpdate header with one rectangle at 0,0 of the given size and encoding, followed by payload. */
    private static int[] update(int width, int height, int encoding, int... payload) {
        return concat(new int[] {
            0x00, 0x00, 0x00, 0x01, // FramebufferUpdate, padding, 1 rectangle
            0x00, 0x00, 0x00, 0x00, // x = 0, y = 0
            width >> 8, width & 0xFF, height >> 8, height & 0xFF, // width, height
            encoding >>> 24, (encoding >> 16) & 0xFF, (encoding >> 8) & 0xFF, encoding & 0xFF}, // encoding
            payload);
    }

    static Stream<Arguments> cases() {
        Supplier<ChannelHandler> version = ProtocolVersionDecoder::new;
        Supplier<ChannelHandler> client = ClientMessageDecoder::new;
        return Stream.of(
                Arguments.of("HTTP request instead of RFB", version, concat(ascii("GET / HTTP/1.1\r\n")),
                        BAD_PROTOCOL_VERSION, "not an RFB ProtocolVersion line (expected \"RFB 003.008\\n\"): "
                                + "\"GET / HTTP/1\""),
                Arguments.of("letter in version", version, concat(ascii("RFB 003.00a\n")), BAD_PROTOCOL_VERSION,
                        "\"RFB 003.00a\\n\""),
                Arguments.of("major version 4", version, concat(ascii("RFB 004.000\n")), BAD_PROTOCOL_VERSION,
                        "unsupported RFB major version 4"),
                Arguments.of("security type not offered", (Supplier<ChannelHandler>)
                        () -> new SecurityTypeSelectionDecoder(SecurityTypes.of(2)), new int[] {0x01},
                        BAD_SECURITY, "client chose security type 1, which was not offered (offered: [2])"),
                Arguments.of("3.3 security type 19", (Supplier<ChannelHandler>)
                        () -> new SecurityTypesDecoder(ProtocolVersion.V3_3), new int[] {0, 0, 0, 19},
                        BAD_SECURITY, "RFB 3.3 server chose security type 19"),
                Arguments.of("3.8 failure reason too long", (Supplier<ChannelHandler>)
                        () -> new SecurityResultDecoder(ProtocolVersion.V3_8),
                        new int[] {0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF}, LENGTH_TOO_LARGE,
                        "failure reason length 2147483647 exceeds the limit of 65536 bytes"),
                Arguments.of("VeNCrypt server version 0.1 (obsolete)", (Supplier<ChannelHandler>)
                        VeNCryptVersionDecoder::new, new int[] {0, 1}, BAD_SECURITY,
                        "server's highest VeNCrypt version is 0.1; 0.2 is needed (0.1 is obsolete)"),
                Arguments.of("VeNCrypt sub-type not offered", (Supplier<ChannelHandler>)
                        () -> new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(262)), new int[] {0, 0, 1, 1},
                        BAD_SECURITY, "client chose VeNCrypt sub-type TLSNone(257), which was not offered "
                                + "(offered: VeNCryptSubtypes[X509Plain(262)])"),
                Arguments.of("VeNCrypt sub-type Plain without TLS not offered", (Supplier<ChannelHandler>)
                        () -> new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(262, 260)),
                        new int[] {0, 0, 1, 0}, BAD_SECURITY, "client chose VeNCrypt sub-type Plain(256)"),
                Arguments.of("VeNCrypt client gives up (sub-type 0)", (Supplier<ChannelHandler>)
                        () -> new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(262)), new int[] {0, 0, 0, 0},
                        BAD_SECURITY, "client can use none of the VeNCrypt sub-types offered"),
                Arguments.of("VeNCrypt empty sub-type list", (Supplier<ChannelHandler>) VeNCryptSubtypesDecoder::new,
                        new int[] {0}, CONNECTION_FAILED, "server offers no VeNCrypt sub-types"),
                Arguments.of("VeNCrypt sub-type 0 offered", (Supplier<ChannelHandler>) VeNCryptSubtypesDecoder::new,
                        new int[] {1, 0, 0, 0, 0}, BAD_SECURITY, "server offered VeNCrypt sub-type 0 (failure)"),
                Arguments.of("VeNCrypt ack 2", (Supplier<ChannelHandler>) VeNCryptSubtypeAckDecoder::new,
                        new int[] {2}, BAD_SECURITY, "acknowledgement 2 is neither 1 (accepted) nor 0 (refused)"),
                Arguments.of("Plain username of 4 GiB", (Supplier<ChannelHandler>) PlainCredentialsDecoder::new,
                        new int[] {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1}, LENGTH_TOO_LARGE,
                        "Plain username length 4294967295 exceeds the limit of 1024 bytes"),
                Arguments.of("Plain password of 2 GiB", (Supplier<ChannelHandler>) PlainCredentialsDecoder::new,
                        new int[] {0, 0, 0, 1, 0x80, 0, 0, 0}, LENGTH_TOO_LARGE,
                        "Plain password length 2147483648 exceeds the limit of 1024 bytes"),
                Arguments.of("Plain password over a configured limit", (Supplier<ChannelHandler>)
                        () -> new PlainCredentialsDecoder(8), new int[] {0, 0, 0, 1, 0, 0, 0, 9}, LENGTH_TOO_LARGE,
                        "Plain password length 9 exceeds the limit of 8 bytes"),
                Arguments.of("ServerInit with 24 bpp", (Supplier<ChannelHandler>) ServerInitDecoder::new,
                        new int[] {0x03, 0x20, 0x02, 0x58, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0},
                        BAD_PIXEL_FORMAT, "invalid pixel format: bits-per-pixel 24 is not 8, 16 or 32"),
                Arguments.of("ClientCutText of 2 MiB", client, new int[] {6, 0, 0, 0, 0x00, 0x20, 0x00, 0x00},
                        LENGTH_TOO_LARGE, "ClientCutText length 2097152 exceeds the limit of 1048576 bytes"),
                Arguments.of("ClientCutText with negative length", client, new int[] {6, 0, 0, 0, 0xFF, 0xFF, 0xFF,
                    0xF0}, LENGTH_TOO_LARGE, "(negative: extended clipboard, not supported)"),
                Arguments.of("configured cut text limit", (Supplier<ChannelHandler>) () -> new ClientMessageDecoder(4),
                        new int[] {6, 0, 0, 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'}, LENGTH_TOO_LARGE,
                        "ClientCutText length 5 exceeds the limit of 4 bytes"),
                Arguments.of("SetEncodings with 1025 entries", client, new int[] {2, 0, 0x04, 0x01}, LENGTH_TOO_LARGE,
                        "SetEncodings count 1025 exceeds the limit of 1024"),
                Arguments.of("unknown client message", client, new int[] {7}, UNKNOWN_MESSAGE_TYPE,
                        "unknown client message type 7"),
                Arguments.of("QEMU audio", client, new int[] {255, 1, 0, 0}, UNKNOWN_MESSAGE_TYPE,
                        "QEMU client message sub-type 1 (audio) is not supported"),
                Arguments.of("SetPixelFormat 24 bpp", client, new int[] {0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255,
                    0, 255, 16, 8, 0, 0, 0, 0}, BAD_PIXEL_FORMAT, "bits-per-pixel 24 is not 8, 16 or 32"),
                Arguments.of("SetPixelFormat red-max 6", client, new int[] {0, 0, 0, 0, 16, 16, 0, 1, 0, 6, 0, 63,
                    0, 31, 11, 5, 0, 0, 0, 0}, BAD_PIXEL_FORMAT, "red-max 6 is not 2^n-1"),
                Arguments.of("SetPixelFormat green-shift 30", client, new int[] {0, 0, 0, 0, 32, 24, 0, 1, 0, 255,
                    0, 255, 0, 255, 16, 30, 0, 0, 0, 0}, BAD_PIXEL_FORMAT,
                        "green-shift 30 puts a 8-bit field outside bits-per-pixel 32"),
                Arguments.of("Fence of 65 bytes", client, new int[] {248, 0, 0, 0, 0, 0, 0, 0, 65}, BAD_FIELD,
                        "Fence payload length 65 exceeds 64"),
                Arguments.of("unknown server message", server(), new int[] {99}, UNKNOWN_MESSAGE_TYPE,
                        "unknown server message type 99"),
                Arguments.of("ServerCutText of 2 MiB", server(), new int[] {3, 0, 0, 0, 0x00, 0x20, 0x00, 0x00},
                        LENGTH_TOO_LARGE, "ServerCutText length 2097152 exceeds the limit of 1048576 bytes"),
                Arguments.of("Raw rectangle wider than the framebuffer", server(), update(801, 1, 0), BAD_RECTANGLE,
                        "Raw(0) rectangle 0,0 801x1 exceeds the 800x600 framebuffer"),
                Arguments.of("huge Tight rectangle", server(), update(0xFFFF, 0xFFFF, 7), BAD_RECTANGLE,
                        "Tight(7) rectangle 0,0 65535x65535 exceeds the 800x600 framebuffer"),
                Arguments.of("CopyRect from outside", server(), update(10, 10, 1, 0x03, 0x1B, 0, 0), BAD_RECTANGLE,
                        "CopyRect source 795,0 10x10 exceeds the 800x600 framebuffer"),
                Arguments.of("unsupported encoding RRE", server(), update(4, 4, 2), UNSUPPORTED_ENCODING,
                        "rectangle 0,0 4x4 uses unsupported encoding RRE(2)"),
                Arguments.of("unknown encoding", server(), update(4, 4, 1234), UNSUPPORTED_ENCODING,
                        "unsupported encoding unknown(1234)"),
                Arguments.of("giant cursor", server(), update(1000, 1000, -239), BAD_RECTANGLE,
                        "cursor 1000x1000 is larger than the 800x600 framebuffer"),
                Arguments.of("ZRLE length 2 GiB", server(), update(4, 4, 16, 0x7F, 0xFF, 0xFF, 0xFF),
                        LENGTH_TOO_LARGE, "ZRLE compressed length 2147483647 exceeds"),
                Arguments.of("ZRLE corrupt zlib", server(), update(4, 4, 16, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF),
                        BAD_ENCODED_DATA, "ZRLE zlib data is corrupt"),
                Arguments.of("ZRLE sub-encoding 17", server(), update(4, 4, 16, 0, 0, 0, 8, 0x78, 0x01,
                        0x00, 0x01, 0x00, 0xFE, 0xFF, 17), BAD_ENCODED_DATA,
                        "ZRLE tile at 0,0 has undefined sub-encoding 17"),
                Arguments.of("ZRLE truncated tile", server(), update(4, 4, 16, 0, 0, 0, 9, 0x78, 0x01,
                        0x00, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x00), BAD_ENCODED_DATA,
                        "ZRLE data for a 4x4 rectangle ends inside a tile"),
                Arguments.of("hextile subrectangle outside its tile", server(), update(4, 4, 5,
                        0x0A, 0, 0, 0, 0, 0x01, 0x33, 0x11), BAD_ENCODED_DATA,
                        "hextile subrectangle 3,3 2x2 exceeds its 4x4 tile at 0,0"),
                Arguments.of("Tight filter 3", server(), update(4, 4, 7, 0x40, 0x03), BAD_ENCODED_DATA,
                        "Tight filter id 3 is invalid"),
                Arguments.of("TightPNG", server(), update(4, 4, 7, 0xA0), BAD_ENCODED_DATA,
                        "Tight compression type 0xa (TightPNG) is not supported"),
                Arguments.of("Tight JPEG length 4 MiB", server(), update(4, 4, 7, 0x90, 0xFF, 0xFF, 0xFF),
                        LENGTH_TOO_LARGE, "Tight JPEG length 4194303 exceeds 65664 bytes for a 4x4 rectangle"),
                Arguments.of("Tight corrupt JPEG", server(), update(4, 4, 7, 0x90, 0x02, 0x12, 0x34),
                        BAD_ENCODED_DATA, "Tight JPEG"),
                Arguments.of("Tight zlib shorter than the rectangle", server(), update(4, 1, 7, 0x00, 0x08,
                        0x78, 0x01, 0x00, 0x01, 0x00, 0xFE, 0xFF, 0x00), BAD_ENCODED_DATA,
                        "Tight stream 0 zlib data decompressed to 1 bytes, expected 12"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithReasonInOneBuffer(String name, Supplier<ChannelHandler> decoder, int[] wire, Reason reason,
            String text) {
        assertFailure(decoder.get(), bytes(wire), false, reason, text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithReasonByteAtATime(String name, Supplier<ChannelHandler> decoder, int[] wire, Reason reason,
            String text) {
        assertFailure(decoder.get(), bytes(wire), true, reason, text);
    }

    private static void assertFailure(ChannelHandler decoder, byte[] wire, boolean byteAtATime, Reason reason,
            String text) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        RfbProtocolException e = assertThrows(RfbProtocolException.class,
                () -> TestBytes.decode(channel, wire, byteAtATime));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(text), () -> "message \"" + e.getMessage() + "\" lacks \"" + text + "\"");
        // After the error everything is discarded: no second error, no message, no hang.
        assertEquals(List.of(), TestBytes.decode(channel, bytes(4, 1, 0, 0, 0, 0, 0, 0x61), false));
        assertTrue(((AbstractRfbDecoder) decoder).isFailed());
        channel.finishAndReleaseAll();
    }

    /** A message announcing a length within limits waits for its bytes: no output, no error, nothing allocated. */
    @Test
    void truncatedMessagesWait() {
        EmbeddedChannel channel = new EmbeddedChannel(new ClientMessageDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(6, 0, 0, 0, 0x00, 0x10, 0x00, 0x00, 'a')));
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(2, 0)));
        assertEquals(null, (Object) channel.readInbound());
        channel.checkException();
        channel.finishAndReleaseAll();
    }
}
