package org.replaydesk.rfb.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.replaydesk.rfb.TestBytes.decode;
import static org.replaydesk.rfb.TestBytes.drain;
import static org.replaydesk.rfb.TestBytes.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.codec.RfbGoldenVectors.Vector;

/** Every golden vector decoded in one buffer, byte at a time, and encoded back to the same bytes. */
class GoldenVectorTest {

    static Stream<Vector> vectors() {
        return Stream.of(RfbGoldenVectors.HANDSHAKE, RfbGoldenVectors.VENCRYPT, RfbGoldenVectors.CLIENT_MESSAGES,
                RfbGoldenVectors.SERVER_MESSAGES).flatMap(List::stream);
    }

    static byte[] encode(RfbMessage message) {
        ByteBuf out = Unpooled.buffer();
        if (message instanceof FramebufferUpdate update) {
            new FramebufferUpdateEncoder(RfbGoldenVectors.CLIENT_FORMAT).write(update, out);
        } else {
            RfbMessageEncoder.write(message, out);
        }
        return drain(out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesWholeBuffer(Vector vector) {
        assertEquals(List.of(vector.message()), decode(vector.decoder().get(), vector.wire(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesByteAtATime(Vector vector) {
        assertEquals(List.of(vector.message()), decode(vector.decoder().get(), vector.wire(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesToGoldenBytes(Vector vector) {
        byte[] encoded = encode(vector.message());
        assertArrayEquals(vector.wire(), encoded, () -> "expected " + hex(vector.wire()) + " got " + hex(encoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesThroughPipeline(Vector vector) {
        EmbeddedChannel channel = new EmbeddedChannel(RfbMessageEncoder.INSTANCE,
                new FramebufferUpdateEncoder(RfbGoldenVectors.CLIENT_FORMAT));
        channel.writeOutbound(vector.message());
        assertArrayEquals(vector.wire(), drain(channel.readOutbound()));
        channel.finishAndReleaseAll();
    }

    /** All client messages back to back in one buffer, then the same split into single bytes. */
    @Test
    void decodesSeveralClientMessagesInOneBuffer() {
        assertSeveralInOneBuffer(RfbGoldenVectors.CLIENT_MESSAGES, new ClientMessageDecoder(),
                new ClientMessageDecoder());
    }

    @Test
    void decodesSeveralServerMessagesInOneBuffer() {
        // DesktopSize changes the framebuffer size to 1024x768, which the later vectors fit in as well.
        assertSeveralInOneBuffer(RfbGoldenVectors.SERVER_MESSAGES, RfbGoldenVectors.SERVER_MESSAGES.get(0).decoder()
                .get(), RfbGoldenVectors.SERVER_MESSAGES.get(0).decoder().get());
    }

    private static void assertSeveralInOneBuffer(List<Vector> vectors, io.netty.channel.ChannelHandler whole,
            io.netty.channel.ChannelHandler bytewise) {
        ByteBuf all = Unpooled.buffer();
        List<Object> expected = new ArrayList<>();
        for (Vector v : vectors) {
            all.writeBytes(v.wire());
            expected.add(v.message());
        }
        byte[] wire = drain(all);
        assertEquals(expected, decode(whole, wire, false));
        assertEquals(expected, decode(bytewise, wire, true));
    }

    /** A handshake decoder passes bytes of the next phase through instead of decoding them again. */
    @Test
    void handshakeDecoderPassesLaterBytesThrough() {
        byte[] wire = org.replaydesk.rfb.TestBytes.bytes('R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n',
                0x01);
        List<Object> out = decode(new ProtocolVersionDecoder(), wire, false);
        assertEquals(2, out.size());
        assertEquals(org.replaydesk.rfb.ProtocolVersion.V3_8, out.get(0));
        assertEquals(1, ((ByteBuf) out.get(1)).readableBytes());
        ((ByteBuf) out.get(1)).release();
    }
}
