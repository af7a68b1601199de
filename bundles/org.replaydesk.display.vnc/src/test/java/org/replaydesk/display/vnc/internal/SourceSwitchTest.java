package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.UpdateRectangle;

/**
 * Swapping a display's pixel source under a connected viewer: the viewer stays connected, receives only the tiles
 * that differ, ends with the new source's pixels, and its input keeps going to the input source.
 */
class SourceSwitchTest {

    private static final int W = 64;
    private static final int H = 48;

    private Path tmp;
    private EventLoopGroup group;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdswitch");
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void switchingSourcesKeepsTheViewerSendsOnlyWhatDiffersAndInputStaysWithTheVm() throws Exception {
        DisplaySource sourceA = DisplaySource.unixSocket(tmp.resolve("a/vnc.sock"));
        DisplaySource sourceB = DisplaySource.unixSocket(tmp.resolve("b/vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(sourceA.unixSocket(), W, H);
                FakeVncServer replayer = new FakeVncServer(sourceB.unixSocket(), W, H);
                Relay relay = new Relay("switch", sourceA, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),
                         group, r -> { })) {
            // The replayer shows the same desktop except an 8x8 patch inside the tile at (32, 0).
            for (int y = 20; y < 28; y++) {
                for (int x = 33; x < 41; x++) {
                    replayer.screen[y * W + x] = 0x00FF00;
                }
            }
            relay.start(Duration.ofSeconds(5));
            ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                    PixelFormat.RGB888_LE, Encodings.RAW);
            Channel ch = connect(relay, viewer);
            RelayEndToEndTest.await("first update", Duration.ofSeconds(5), () -> viewer.updates().size() == 1);
            int[] shown = new int[W * H];
            apply(viewer.updates().get(0), shown);
            assertArrayEquals(vm.screen, shown);

            ch.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H))).sync();
            SourceSwitch toReplay = relay.switchSource(sourceB, Duration.ofSeconds(5));
            assertEquals(sourceA, toReplay.from());
            assertEquals(sourceB, toReplay.to());
            assertEquals(64, toReplay.changedPixels(), "only the patch differs");
            assertEquals((long) W * H, toReplay.totalPixels());
            assertEquals(sourceB, relay.pixelSource());
            RelayEndToEndTest.await("update after the switch", Duration.ofSeconds(5),
                    () -> viewer.updates().size() == 2);
            FramebufferUpdate afterSwitch = viewer.updates().get(1);
            assertEquals(List.of(new Rect(32, 0, 32, 32)), afterSwitch.rectangles().stream()
                    .map(UpdateRectangle::rect).toList(), "one tile: the one that differs");
            apply(afterSwitch, shown);
            assertArrayEquals(replayer.screen, shown);
            assertTrue(ch.isActive(), "the viewer stayed connected");

            // Input goes to the VM, never to the replayer.
            ch.writeAndFlush(new KeyEvent(true, 0x61)).sync();
            RelayEndToEndTest.await("key at the VM", Duration.ofSeconds(5), () -> vm.count(KeyEvent.class) == 1);
            assertEquals(0, replayer.count(KeyEvent.class));

            // The replayer's changes reach the viewer; the VM's no longer do (and it is not asked for them).
            int[] patch = new int[4 * 4];
            java.util.Arrays.fill(patch, 0x0000FF);
            ch.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H))).sync();
            replayer.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, 4, 4), patch)));
            RelayEndToEndTest.await("replayer damage", Duration.ofSeconds(5), () -> viewer.updates().size() == 3);
            apply(viewer.updates().get(2), shown);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    replayer.screen[y * W + x] = 0x0000FF;
                }
            }
            assertArrayEquals(replayer.screen, shown);

            // Back to the VM: a fresh full frame from it, the viewer gets the tiles that differ.
            long fullRequestsBefore = vm.received.stream()
                    .filter(m -> m instanceof FramebufferUpdateRequest r && !r.incremental()).count();
            ch.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H))).sync();
            SourceSwitch back = relay.switchSource(sourceA, Duration.ofSeconds(5));
            assertEquals(64 + 16, back.changedPixels());
            assertEquals(fullRequestsBefore + 1, vm.received.stream()
                    .filter(m -> m instanceof FramebufferUpdateRequest r && !r.incremental()).count());
            RelayEndToEndTest.await("update after switching back", Duration.ofSeconds(5),
                    () -> viewer.updates().size() == 4);
            apply(viewer.updates().get(3), shown);
            assertArrayEquals(vm.screen, shown);
            assertEquals(sourceA, relay.pixelSource());
            assertTrue(ch.isActive());
        }
    }

    @Test
    void aSourceThatCannotBeReachedLeavesTheDisplayAsItWas() throws Exception {
        DisplaySource sourceA = DisplaySource.unixSocket(tmp.resolve("a/vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(sourceA.unixSocket(), W, H);
                Relay relay = new Relay("switch", sourceA, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),
                         group, r -> { })) {
            relay.start(Duration.ofSeconds(5));
            IOException e = assertThrows(IOException.class, () -> relay.switchSource(
                    DisplaySource.unixSocket(tmp.resolve("nothing/vnc.sock")), Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("nothing/vnc.sock"), e.getMessage());
            assertEquals(sourceA, relay.pixelSource());
            assertArrayEquals(vm.screen, relay.mirror().snapshot());
        }
    }

    @Test
    void whenTheReplayerDiesTheDisplayGoesBackToTheVm() throws Exception {
        DisplaySource sourceA = DisplaySource.unixSocket(tmp.resolve("a/vnc.sock"));
        DisplaySource sourceB = DisplaySource.unixSocket(tmp.resolve("b/vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(sourceA.unixSocket(), W, H);
                Relay relay = new Relay("switch", sourceA, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),
                         group, r -> { })) {
            relay.start(Duration.ofSeconds(5));
            FakeVncServer replayer = new FakeVncServer(sourceB.unixSocket(), W, H);
            java.util.Arrays.fill(replayer.screen, 0x123456);
            relay.switchSource(sourceB, Duration.ofSeconds(5));
            assertArrayEquals(replayer.screen, relay.mirror().snapshot());
            replayer.close();
            RelayEndToEndTest.await("fallback to the VM", Duration.ofSeconds(10),
                    () -> relay.pixelSource().equals(sourceA));
            RelayEndToEndTest.await("VM pixels", Duration.ofSeconds(5),
                    () -> java.util.Arrays.equals(vm.screen, relay.mirror().snapshot()));
        }
    }

    private Channel connect(Relay relay, ViewerHandshakeTest.Viewer viewer) throws InterruptedException {
        return viewer.connectTo(group, relay.address());
    }

    /** Applies an update's pixel rectangles to a viewer-side framebuffer. */
    static void apply(FramebufferUpdate update, int[] fb) {
        for (UpdateRectangle r : update.rectangles()) {
            if (r instanceof PixelRectangle p) {
                int[] px = p.toArray();
                Rect rect = p.rect();
                for (int row = 0; row < rect.height(); row++) {
                    System.arraycopy(px, row * rect.width(), fb, (rect.y() + row) * W + rect.x(), rect.width());
                }
            }
        }
    }
}
