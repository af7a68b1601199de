package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.display.vnc.internal.ViewerHandshakeTest.relayDamage;
import static org.replaydesk.display.vnc.internal.ViewerHandshakeTest.shuttle;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.EnableContinuousUpdates;
import org.replaydesk.rfb.EndOfContinuousUpdates;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.Fence;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.QemuExtendedKeyEvent;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.SetColourMapEntries;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.UpdateRectangle;

/**
 * What a viewer can negotiate beyond plain request/response: continuous updates and fences, QEMU extended key events,
 * pointer shapes, colour-mapped pixel formats, view-only, and smallest-first cut updates when its link is full.
 */
class ViewerFeaturesTest {

    private static final int W = 640;
    private static final int H = 480;
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private Path tmp;
    private NioEventLoopGroup group;

    @AfterEach
    void tearDown() throws Exception {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Relay relay() {
        Relay relay = new Relay("features", DisplaySource.unixSocket(Path.of("/nonexistent/vnc.sock")),
                new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),  null, r -> { });
        relay.mirror().resize(W, H);
        relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H), screen())));
        return relay;
    }

    private static int[] screen() {
        int[] p = new int[W * H];
        for (int i = 0; i < p.length; i++) {
            p[i] = (int) ((i * 2654435761L) & 0xFFFFFF);
        }
        return p;
    }

    private EmbeddedChannel server(Relay relay) {
        EmbeddedChannel channel = new EmbeddedChannel();
        relay.initViewerChannel(channel);
        channel.pipeline().fireChannelActive();
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel client(ViewerHandshakeTest.Viewer viewer) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("rfb", new org.replaydesk.rfb.codec.ProtocolVersionDecoder());
        channel.pipeline().addLast(org.replaydesk.rfb.codec.RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(viewer);
        channels.add(channel);
        return channel;
    }

    private static ViewerHandshakeTest.Viewer viewer(int encoding, Integer... extra) {
        ViewerHandshakeTest.Viewer v = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                PixelFormat.RGB888_LE, encoding);
        v.extraEncodings = List.of(extra);
        return v;
    }

    private static void change(Relay relay, Rect rect, int colour) {
        int[] patch = new int[(int) rect.area()];
        java.util.Arrays.fill(patch, colour);
        relayDamage(relay, relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, rect, patch))));
    }

    @Test
    void continuousUpdatesArePushedWithoutRequestsAndFencesAreAnswered() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = viewer(Encodings.RAW, Encodings.CONTINUOUS_UPDATES, Encodings.FENCE);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        assertTrue(viewer.received.contains(EndOfContinuousUpdates.INSTANCE), "server announces continuous updates");
        assertTrue(viewer.received.stream().anyMatch(m -> m instanceof Fence f && (f.flags() & Fence.REQUEST) != 0),
                "server announces fences with a fence request");
        assertEquals(1, viewer.updates().size());

        client.writeOutbound(new EnableContinuousUpdates(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        int before = viewer.updates().size();
        for (int i = 0; i < 3; i++) {
            change(relay, new Rect(10 * i, 10, 8, 8), 0xFF0000 + i);
            shuttle(server, client);
        }
        assertEquals(before + 3, viewer.updates().size(), "one pushed update per change, no request needed");

        client.writeOutbound(new Fence(Fence.REQUEST | Fence.BLOCK_BEFORE, new byte[] {1, 2, 3}));
        shuttle(server, client);
        assertTrue(viewer.received.contains(new Fence(Fence.BLOCK_BEFORE, new byte[] {1, 2, 3})),
                "the fence comes back without the request flag, payload intact");

        long ends = viewer.received.stream().filter(EndOfContinuousUpdates.INSTANCE::equals).count();
        client.writeOutbound(new EnableContinuousUpdates(false, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(ends + 1, viewer.received.stream().filter(EndOfContinuousUpdates.INSTANCE::equals).count());
        int stopped = viewer.updates().size();
        change(relay, new Rect(100, 100, 8, 8), 0x00FF00);
        shuttle(server, client);
        assertEquals(stopped, viewer.updates().size(), "back to request/response");
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(stopped + 1, viewer.updates().size());
    }

    @Test
    void continuousUpdatesStayInsideTheAreaTheViewerChose() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = viewer(Encodings.RAW, Encodings.CONTINUOUS_UPDATES);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        client.writeOutbound(new EnableContinuousUpdates(true, new Rect(0, 0, 100, 100)));
        shuttle(server, client);
        int before = viewer.updates().size();
        change(relay, new Rect(50, 50, 100, 10), 0x0000FF);
        shuttle(server, client);
        FramebufferUpdate pushed = viewer.updates().get(before);
        assertEquals(List.of(new Rect(50, 50, 50, 10)), pushed.rectangles().stream().map(UpdateRectangle::rect)
                .toList(), "only the part inside the continuous area is pushed");
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(List.of(new Rect(100, 50, 50, 10)), viewer.updates().get(before + 1).rectangles().stream()
                .map(UpdateRectangle::rect).toList(), "the rest waits for a request");
    }

    @Test
    void extendedKeyEventsAreAcknowledgedAndReachASourceWithoutThemAsKeysyms() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdfeat");
        group = new NioEventLoopGroup(1);
        DisplaySource source = DisplaySource.unixSocket(tmp.resolve("vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(source.unixSocket(), 32, 16);
                Relay relay = new Relay("keys", source, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), 
                        group, r -> { })) {
            relay.start(Duration.ofSeconds(5));
            ViewerHandshakeTest.Viewer viewer = viewer(Encodings.RAW, Encodings.QEMU_EXTENDED_KEY_EVENT);
            EmbeddedChannel server = server(relay);
            EmbeddedChannel client = client(viewer);
            shuttle(server, client);
            assertTrue(viewer.updates().get(0).rectangles().contains(PseudoRectangle.qemuExtendedKeyEventAck()),
                    "the first update tells the viewer it may send scancodes");
            client.writeOutbound(new QemuExtendedKeyEvent(true, 0x61, 0x1E));
            client.writeOutbound(new QemuExtendedKeyEvent(false, 0x61, 0x1E));
            shuttle(server, client);
            RelayEndToEndTest.await("keys at the VM", Duration.ofSeconds(5), () -> vm.count(KeyEvent.class) == 2);
            assertEquals(List.of(new KeyEvent(true, 0x61), new KeyEvent(false, 0x61)),
                    vm.received.stream().filter(KeyEvent.class::isInstance).toList(),
                    "a source that never acknowledged extended keys gets keysyms");
        }
    }

    @Test
    void aViewOnlyViewersInputIsDroppedAndControlCanBeGivenBack() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdfeat");
        group = new NioEventLoopGroup(1);
        DisplaySource source = DisplaySource.unixSocket(tmp.resolve("vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(source.unixSocket(), 32, 16);
                Relay relay = new Relay("viewonly", source, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),
                         group, r -> { })) {
            relay.start(Duration.ofSeconds(5));
            ViewerHandshakeTest.Viewer watcher = viewer(Encodings.RAW);
            ViewerHandshakeTest.Viewer driver = viewer(Encodings.RAW);
            EmbeddedChannel watcherServer = server(relay);
            EmbeddedChannel watcherClient = client(watcher);
            EmbeddedChannel driverServer = server(relay);
            EmbeddedChannel driverClient = client(driver);
            shuttle(watcherServer, watcherClient);
            shuttle(driverServer, driverClient);
            // Viewers are kept in connection order: the first is the watcher.
            String watcherId = relay.viewersForTest().iterator().next().id();
            relay.viewer(watcherId).orElseThrow().setViewOnly(true);
            assertTrue(relay.viewers().stream().anyMatch(v -> v.id().equals(watcherId) && v.viewOnly()));

            watcherClient.writeOutbound(new KeyEvent(true, 0x71), new PointerEvent(1, 5, 5));
            driverClient.writeOutbound(new KeyEvent(true, 0x64));
            shuttle(watcherServer, watcherClient);
            shuttle(driverServer, driverClient);
            RelayEndToEndTest.await("driver key", Duration.ofSeconds(5), () -> vm.count(KeyEvent.class) >= 1);
            Thread.sleep(200);
            assertEquals(List.of(new KeyEvent(true, 0x64)), vm.received.stream()
                    .filter(m -> m instanceof KeyEvent || m instanceof PointerEvent).toList(),
                    "only the viewer in control reaches the VM");

            relay.viewer(watcherId).orElseThrow().setViewOnly(false);
            watcherClient.writeOutbound(new KeyEvent(false, 0x71));
            shuttle(watcherServer, watcherClient);
            RelayEndToEndTest.await("watcher key", Duration.ofSeconds(5), () -> vm.count(KeyEvent.class) == 2);
        }
    }

    @Test
    void colourMappedViewersGetThePaletteThenPixelsFromIt() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                PixelFormat.COLOUR_MAP_8, Encodings.RAW);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        SetColourMapEntries map = viewer.received.stream().filter(SetColourMapEntries.class::isInstance)
                .map(SetColourMapEntries.class::cast).findFirst().orElseThrow();
        assertEquals(0, map.firstColour());
        assertEquals(256 * 3, map.colours16().length);
        assertTrue(viewer.received.indexOf(map) < viewer.received.indexOf(viewer.updates().get(0)),
                "the palette comes before the pixels that use it");
        int[] shown = ((PixelRectangle) viewer.updates().get(0).rectangles().get(0)).toArray();
        int[] expected = screen();
        for (int i = 0; i < expected.length; i++) {
            expected[i] = ViewerHandler.PALETTE.rgb(ViewerHandler.PALETTE.nearestIndex(expected[i]));
        }
        assertArrayEquals(expected, shown, "each pixel is the nearest palette colour");
        assertEquals("8bpp depth 8 little-endian colour map", relay.viewers().get(0).pixelFormat());
    }

    @Test
    void pointerShapesGoToViewersThatDrawThemAndNotToOthers() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer drawing = viewer(Encodings.RAW, Encodings.CURSOR);
        ViewerHandshakeTest.Viewer plain = viewer(Encodings.RAW);
        EmbeddedChannel s1 = server(relay);
        EmbeddedChannel c1 = client(drawing);
        EmbeddedChannel s2 = server(relay);
        EmbeddedChannel c2 = client(plain);
        shuttle(s1, c1);
        shuttle(s2, c2);
        CursorRectangle arrow = new CursorRectangle(1, 2, 8, 2, new int[16], new byte[] {(byte) 0xFF, 0x0F});
        relay.viewersForTest().forEach(v -> v.cursorChanged(arrow));
        c1.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        c2.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(s1, c1);
        shuttle(s2, c2);
        assertEquals(2, drawing.updates().size());
        assertEquals(arrow, drawing.updates().get(1).rectangles().get(0));
        assertEquals(1, plain.updates().size(), "no shape, no change: the request is held");
    }

    @Test
    void aFullLinkGetsTheSmallestRectanglesFirstAndTheLargeOneAfter() {
        Relay relay = relay();
        ViewerHandshakeTest.Viewer viewer = viewer(Encodings.RAW);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        // A large repaint and, apart from it, three small changes (typing).
        change(relay, new Rect(0, 0, W, 300), 0x111111);
        change(relay, new Rect(400, 400, 8, 16), 0x222222);
        change(relay, new Rect(100, 440, 8, 16), 0x333333);
        change(relay, new Rect(200, 420, 30, 30), 0x444444);
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        FramebufferUpdate first = viewer.updates().get(1);
        assertEquals(List.of(new Rect(400, 400, 8, 16), new Rect(100, 440, 8, 16), new Rect(200, 420, 30, 30)),
                first.rectangles().stream().map(UpdateRectangle::rect).toList(),
                "the write buffer (64 KiB here) cannot take the 768 KB repaint: small ones first, smallest first");
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(List.of(new Rect(0, 0, W, 300)), viewer.updates().get(2).rectangles().stream()
                .map(UpdateRectangle::rect).toList(), "then the large one: nothing starves");
        assertFalse(viewer.updates().size() > 3);
    }
}
