package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;

/**
 * The relay's interaction meter and damage probe against two fake VNC servers (the VM and a replayer): a viewer's
 * input is counted with pointer motion throttled, the VM's damage is measured while the replayer is shown because
 * the probe keeps asking the VM for updates, and switching back to the probed VM needs no full frame. The meters run
 * on a scripted clock; the probe's own timer is real (it only decides when requests go out).
 */
class DamageProbeTest {

    private static final int W = 64;
    private static final int H = 48;

    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(3000));
    private Path tmp;
    private EventLoopGroup group;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdprobe");
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void inputIsCountedDamageIsProbedWhileTheReplayerIsShownAndTheSwitchBackIsImmediate() throws Exception {
        DisplaySource vmSource = DisplaySource.unixSocket(tmp.resolve("vm/vnc.sock"));
        DisplaySource replayerSource = DisplaySource.unixSocket(tmp.resolve("replayer/vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(vmSource.unixSocket(), W, H);
                FakeVncServer replayer = new FakeVncServer(replayerSource.unixSocket(), W, H);
                Relay relay = new Relay("probe", vmSource, new InetSocketAddress("127.0.0.1", 0),
                        ViewerSecurity.none(), group, r -> { })
                        .withNanoClock(now::get)
                        .withDamageProbe(50)) {
            System.arraycopy(vm.screen, 0, replayer.screen, 0, vm.screen.length); // the same desktop
            relay.start(Duration.ofSeconds(5));
            InteractionStats fresh = relay.interaction();
            assertEquals(0, fresh.totalDamagedPixels(), "the first full frame is not damage");
            assertFalse(fresh.probing(), "the VM is shown: polled at full rate, not probed");

            ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                    PixelFormat.RGB888_LE, Encodings.RAW);
            Channel ch = connect(relay, viewer);
            RelayEndToEndTest.await("first update", Duration.ofSeconds(5), () -> viewer.updates().size() == 1);

            // Key press and release, a click, then a burst of motion within one 100 ms slot of the scripted clock.
            ch.write(new KeyEvent(true, 0x61));
            ch.write(new KeyEvent(false, 0x61));
            ch.write(new PointerEvent(1, 10, 10));
            ch.write(new PointerEvent(0, 10, 10));
            for (int i = 0; i < 20; i++) {
                ch.write(new PointerEvent(0, 11 + i, 10));
            }
            ch.flush();
            RelayEndToEndTest.await("input at the VM", Duration.ofSeconds(5),
                    () -> vm.count(KeyEvent.class) == 2 && vm.count(PointerEvent.class) == 22);
            InteractionStats afterInput = relay.interaction();
            assertEquals(5, afterInput.totalInputEvents(), "2 keys + press + release + 1 of 20 motion events");
            assertEquals(5, afterInput.inputEvents());

            SourceSwitch toReplayer = relay.switchSource(replayerSource, Duration.ofSeconds(5));
            assertEquals(0, toReplayer.changedPixels());
            // The input's one-second boost (ask again after every update) is over: only the probe's ticks ask now.
            now.addAndGet(TimeUnit.SECONDS.toNanos(2));
            assertTrue(relay.interaction().probing());

            // The VM's screen changes while the replayer is shown: an 8x8 patch.
            int[] patch = new int[8 * 8];
            java.util.Arrays.fill(patch, 0xFF0000);
            long requestsBefore = incrementalRequests(vm);
            vm.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(8, 8, 8, 8), patch)));
            RelayEndToEndTest.await("the probe asking the VM again after its update", Duration.ofSeconds(5),
                    () -> incrementalRequests(vm) > requestsBefore);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // the update's 20 ms damage slot is over
            assertEquals(8 * 16, relay.interaction().totalDamagedPixels(), "8 rows of the 16-pixel column 0-16");
            assertEquals(8 * 16 / 2.0, relay.interaction().shortDamagedPixelsPerSecond(), 1e-9,
                    "over the 2 s short window");
            assertArrayEquals(replayer.screen, relay.mirror().snapshot(), "viewers still see the replayer");

            // Back to the VM: its probed mirror is shown at once, no full-frame request.
            for (int y = 8; y < 16; y++) {
                java.util.Arrays.fill(vm.screen, y * W + 8, y * W + 16, 0xFF0000);
            }
            long fullRequestsBefore = fullRequests(vm);
            ch.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H))).sync();
            SourceSwitch back = relay.switchSource(vmSource, Duration.ofSeconds(5));
            assertEquals(64, back.changedPixels(), "only the patch the probe brought differs");
            assertEquals(fullRequestsBefore, fullRequests(vm));
            assertArrayEquals(vm.screen, relay.mirror().snapshot());
            RelayEndToEndTest.await("the patch at the viewer", Duration.ofSeconds(5),
                    () -> viewer.updates().size() == 2);
            assertFalse(relay.interaction().probing());
        }
    }

    private static long incrementalRequests(FakeVncServer server) {
        return server.received.stream().filter(m -> m instanceof FramebufferUpdateRequest r && r.incremental())
                .count();
    }

    private static long fullRequests(FakeVncServer server) {
        return server.received.stream().filter(m -> m instanceof FramebufferUpdateRequest r && !r.incremental())
                .count();
    }

    private Channel connect(Relay relay, ViewerHandshakeTest.Viewer viewer) throws InterruptedException {
        return viewer.connectTo(group, relay.address());
    }
}
