package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.display.vnc.internal.ViewerHandshakeTest.relayDamage;
import static org.replaydesk.display.vnc.internal.ViewerHandshakeTest.screen;
import static org.replaydesk.display.vnc.internal.ViewerHandshakeTest.shuttle;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;

/**
 * Per-viewer and per-display traffic accounting: the bytes the meter counts are the bytes the viewer received after
 * ServerInit (only FramebufferUpdates follow it), split by the encoding each update used. Same two-EmbeddedChannel
 * setup as {@link ViewerHandshakeTest}, with a fake clock.
 */
class TrafficAccountingTest {

    private static final int W = 40;
    private static final int H = 30;

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private long now = TimeUnit.SECONDS.toNanos(500);

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** Counts what reaches a viewer once it has its ServerInit; sits before the viewer's decoders. */
    private static final class ReceivedUpdateBytes extends ChannelInboundHandlerAdapter {
        private final ViewerHandshakeTest.Viewer viewer;
        final AtomicLong bytes = new AtomicLong();

        ReceivedUpdateBytes(ViewerHandshakeTest.Viewer viewer) {
            this.viewer = viewer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (viewer.decoder != null && msg instanceof ByteBuf buf) {
                bytes.addAndGet(buf.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private Relay relay() {
        Relay relay = new Relay("test-vm", org.replaydesk.display.vnc.DisplaySource.unixSocket(Path.of("/nonexistent/vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                ViewerSecurity.none(), null, r -> { }).withNanoClock(() -> now);
        relay.mirror().resize(W, H);
        relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H), screen(1))));
        return relay;
    }

    private EmbeddedChannel serverChannel(Relay relay) {
        EmbeddedChannel channel = new EmbeddedChannel();
        relay.initViewerChannel(channel);
        channel.pipeline().fireChannelActive();
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel clientChannel(ViewerHandshakeTest.Viewer viewer, ReceivedUpdateBytes counter) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(counter);
        channel.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        channel.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(viewer);
        channels.add(channel);
        return channel;
    }

    /** Changes a few pixels and lets the viewer fetch them with an incremental request. */
    private void changeAndFetch(Relay relay, EmbeddedChannel server, EmbeddedChannel client, int seed) {
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        int[] patch = new int[10 * 5];
        for (int i = 0; i < patch.length; i++) {
            patch[i] = (i * 7919 + seed * 104729) & 0xFFFFFF;
        }
        relayDamage(relay, relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW,
                new Rect(seed % 30, seed % 25, 10, 5), patch))));
        shuttle(server, client);
    }

    @ParameterizedTest
    @ValueSource(ints = {Encodings.RAW, Encodings.HEXTILE, Encodings.ZRLE, Encodings.TIGHT})
    void countedBytesAreTheBytesTheViewerReceived(int encoding) {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                PixelFormat.RGB888_LE, encoding);
        ReceivedUpdateBytes received = new ReceivedUpdateBytes(viewer);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer, received);
        shuttle(server, client);
        for (int i = 1; i <= 4; i++) {
            now += TimeUnit.MILLISECONDS.toNanos(100);
            changeAndFetch(relay, server, client, i);
        }
        assertEquals(5, viewer.updateCount.get());

        TrafficStats stats = relay.viewers().get(0).traffic();
        assertTrue(received.bytes.get() > 0);
        assertEquals(received.bytes.get(), stats.totalBytes());
        assertEquals(5, stats.totalFrames());
        assertEquals(Map.of(TrafficMeter.encodingName(encoding), received.bytes.get()), stats.bytesByEncoding());
        // Five updates in five 100 ms buckets: the meter is younger than both windows.
        assertEquals(received.bytes.get() / 0.5, stats.bytesPerSecond(), 1e-6);
        assertEquals(10.0, stats.framesPerSecond(), 1e-9);
        assertEquals(10.0, stats.shortFramesPerSecond(), 1e-9);

        now += TimeUnit.SECONDS.toNanos(2);
        TrafficStats later = relay.viewers().get(0).traffic();
        assertEquals(0.0, later.shortBytesPerSecond(), "the 1 s window has emptied");
        assertEquals(received.bytes.get() / 2.5, later.bytesPerSecond(), 1e-6, "the 20 s window still has them");
        assertEquals(stats.totalBytes(), later.totalBytes());
    }

    @Test
    void aViewerSwitchingEncodingIsSplitByEncoding() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                PixelFormat.RGB888_LE, Encodings.ZRLE);
        ReceivedUpdateBytes received = new ReceivedUpdateBytes(viewer);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer, received);
        shuttle(server, client);
        long zrleBytes = received.bytes.get();

        client.writeOutbound(SetEncodings.of(Encodings.HEXTILE, Encodings.DESKTOP_SIZE));
        client.writeOutbound(new FramebufferUpdateRequest(false, new Rect(0, 0, W, H)));
        shuttle(server, client);
        long hextileBytes = received.bytes.get() - zrleBytes;
        assertTrue(hextileBytes > 0);

        TrafficStats stats = relay.viewers().get(0).traffic();
        assertEquals(Map.of("ZRLE", zrleBytes, "Hextile", hextileBytes), stats.bytesByEncoding());
        assertEquals(received.bytes.get(), stats.totalBytes());
        assertEquals(2, stats.totalFrames());
        assertEquals("Hextile", relay.viewers().get(0).encoding());
    }

    @Test
    void displayStatsAreTheSumOverViewersAndViewerInfoDescribesEach() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer a = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                PixelFormat.RGB888_LE, Encodings.RAW);
        ViewerHandshakeTest.Viewer b = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_3, null,
                PixelFormat.RGB565_BE, Encodings.TIGHT);
        ReceivedUpdateBytes ra = new ReceivedUpdateBytes(a);
        ReceivedUpdateBytes rb = new ReceivedUpdateBytes(b);
        EmbeddedChannel serverA = serverChannel(relay);
        EmbeddedChannel clientA = clientChannel(a, ra);
        shuttle(serverA, clientA);
        EmbeddedChannel serverB = serverChannel(relay);
        EmbeddedChannel clientB = clientChannel(b, rb);
        shuttle(serverB, clientB);

        List<ViewerInfo> viewers = relay.viewers();
        assertEquals(2, viewers.size());
        ViewerInfo infoA = viewers.stream().filter(v -> v.encoding().equals("Raw")).findFirst().orElseThrow();
        ViewerInfo infoB = viewers.stream().filter(v -> v.encoding().equals("Tight")).findFirst().orElseThrow();
        assertEquals("3.8", infoA.protocolVersion());
        assertEquals("3.3", infoB.protocolVersion());
        assertEquals("32bpp depth 24 little-endian true colour", infoA.pixelFormat());
        assertEquals("16bpp depth 16 big-endian true colour", infoB.pixelFormat());
        assertEquals(false, infoA.viewOnly());
        assertEquals(ra.bytes.get(), infoA.traffic().totalBytes());
        assertEquals(rb.bytes.get(), infoB.traffic().totalBytes());

        TrafficStats display = relay.stats();
        assertEquals(ra.bytes.get() + rb.bytes.get(), display.totalBytes());
        assertEquals(2, display.totalFrames());
        assertEquals(Map.of("Raw", ra.bytes.get(), "Tight", rb.bytes.get()), display.bytesByEncoding());
        assertEquals(infoA.traffic().bytesPerSecond() + infoB.traffic().bytesPerSecond(), display.bytesPerSecond(),
                1e-6);
        assertEquals(0.0, display.upstreamBytesPerSecond(), "not connected upstream");

        serverA.close();
        assertEquals(1, relay.viewers().size(), "a viewer that left is no longer listed");
        assertEquals(ra.bytes.get() + rb.bytes.get(), relay.stats().totalBytes(),
                "but what it was sent stays in the display's totals");
    }
}
