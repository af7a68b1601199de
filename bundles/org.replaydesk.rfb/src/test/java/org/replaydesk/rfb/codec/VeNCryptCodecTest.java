package org.replaydesk.rfb.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.rfb.TestBytes.decode;
import static org.replaydesk.rfb.TestBytes.drain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.VeNCryptSubtype;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.VeNCryptVersion;

/**
 * VeNCrypt messages beyond the golden vectors: encoder to decoder round trips at the limits (255 sub-types, U32
 * values with the top bit set, credentials at the length limit, non-ASCII text), whole and byte at a time; the
 * version comparison; and {@link AbstractRfbDecoder#pendingBytes()}, which the TLS switch relies on.
 */
class VeNCryptCodecTest {

    static Stream<Arguments> roundTrips() {
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            many.add(i % 2 == 0 ? 256 + i : 0x80000000 + i);
        }
        String longest = "\u00e9".repeat(PlainCredentialsDecoder.DEFAULT_MAX_LENGTH / 2); // 1024 UTF-8 bytes
        return Stream.of(
                Arguments.of(new VeNCryptVersion(0, 3), (Supplier<ChannelHandler>) VeNCryptVersionDecoder::new),
                Arguments.of(new VeNCryptVersion(1, 0), (Supplier<ChannelHandler>) VeNCryptVersionDecoder::new),
                Arguments.of(new VeNCryptVersion(255, 255),
                        (Supplier<ChannelHandler>) VeNCryptVersionChoiceDecoder::new),
                Arguments.of(new VeNCryptSubtypes(many), (Supplier<ChannelHandler>) VeNCryptSubtypesDecoder::new),
                Arguments.of(new VeNCryptSubtypeSelection(0xFFFFFFFF), (Supplier<ChannelHandler>)
                        () -> new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(260, 0xFFFFFFFF))),
                Arguments.of(new PlainCredentials(longest, longest),
                        (Supplier<ChannelHandler>) PlainCredentialsDecoder::new),
                Arguments.of(new PlainCredentials("\u7528\u6237", "p\u00e4ss w\u00f6rd \u2603"),
                        (Supplier<ChannelHandler>) PlainCredentialsDecoder::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTrips")
    void encodedMessageDecodesToItself(RfbMessage message, Supplier<ChannelHandler> decoder) {
        ByteBuf out = Unpooled.buffer();
        RfbMessageEncoder.write(message, out);
        byte[] wire = drain(out);
        assertEquals(List.of(message), decode(decoder.get(), wire, false));
        assertEquals(List.of(message), decode(decoder.get(), wire, true));
    }

    @Test
    void credentialsOneByteOverTheLimitAreRefused() {
        String tooLong = "x".repeat(PlainCredentialsDecoder.DEFAULT_MAX_LENGTH + 1);
        ByteBuf out = Unpooled.buffer();
        RfbMessageEncoder.write(new PlainCredentials(tooLong, ""), out);
        RfbProtocolException e = assertThrows(RfbProtocolException.class,
                () -> decode(new PlainCredentialsDecoder(), drain(out), false));
        assertEquals("Plain username length 1025 exceeds the limit of 1024 bytes", e.getMessage());
    }

    @Test
    void passwordNeverShowsInToString() {
        assertFalse(new PlainCredentials("alice", "hunter2").toString().contains("hunter2"));
    }

    @Test
    void versionsCompareMajorFirst() {
        assertTrue(new VeNCryptVersion(1, 0).isAtLeast(VeNCryptVersion.V0_2));
        assertTrue(new VeNCryptVersion(0, 2).isAtLeast(VeNCryptVersion.V0_2));
        assertFalse(new VeNCryptVersion(0, 1).isAtLeast(VeNCryptVersion.V0_2));
        assertFalse(VeNCryptVersion.NONE.isAtLeast(VeNCryptVersion.V0_2));
    }

    @Test
    void subtypeNamesAreUnsigned() {
        assertEquals("X509None(260)", VeNCryptSubtype.name(VeNCryptSubtype.X509_NONE));
        assertEquals("unknown(4294967295)", VeNCryptSubtype.name(-1));
    }

    /** Bytes that follow the sub-type choice in the same read stay in the decoder and are counted. */
    @Test
    void pendingBytesCountsWhatFollowsTheMessage() {
        VeNCryptSubtypeSelectionDecoder decoder = new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(262));
        List<Integer> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof VeNCryptSubtypeSelection) {
                    seen.add(decoder.pendingBytes());
                }
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 1, 6, 0x16, 0x03, 0x01}));
        assertEquals(List.of(3), seen, "a TLS record header sent early is still in the decoder");
        channel.finishAndReleaseAll();
    }
}
