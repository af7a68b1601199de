package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interaction and damage with a real QEMU 7.2 as the input source (the demo guest's {@code anim} workload) and a fake
 * VNC server as the other pixel source (a replayer): a viewer's key and pointer events are counted, frames follow
 * the input, the VM's damage keeps being measured while the fake is shown (the probe polls QEMU at 5 fps), and the
 * switch back to QEMU is immediate yet ends with QEMU's exact screen. A missing QEMU or guest fails the test.
 */
class DamageProbeQemuTest {

    private static final Logger LOG = LoggerFactory.getLogger(DamageProbeQemuTest.class);

    @Test
    void viewerInputAndTheVmsDamageAreMeasuredWhileAnotherSourceIsShown() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try (DemoGuestVm vm = DemoGuestVm.start("")) {
            vm.awaitAnimation(Duration.ofSeconds(120));
            DisplaySource vmSource = DisplaySource.unixSocket(vm.vncSocket());
            try (Relay relay = new Relay("probe-qemu", vmSource, new InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.none(), group, r -> { }).withDamageProbe(5)) {
                relay.start(Duration.ofSeconds(10));
                int w = relay.mirror().width();
                int h = relay.mirror().height();
                DisplaySource replayerSource = DisplaySource.unixSocket(vm.workDir().resolve("replayer/vnc.sock"));
                try (FakeVncServer replayer = new FakeVncServer(replayerSource.unixSocket(), w, h)) {
                    ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                            PixelFormat.RGB888_LE, Encodings.RAW);
                    viewer.continuous = true;
                    Channel ch = connect(group, relay, viewer);
                    RelayEndToEndTest.await("first update", Duration.ofSeconds(10),
                            () -> viewer.updateCount.get() >= 1);

                    // Shift press and release, a click in a corner: harmless for the guest, four events.
                    ch.write(new KeyEvent(true, 0xffe1));
                    ch.write(new KeyEvent(false, 0xffe1));
                    ch.write(new PointerEvent(1, 1, 1));
                    ch.writeAndFlush(new PointerEvent(0, 1, 1)).sync();
                    RelayEndToEndTest.await("four input events", Duration.ofSeconds(10),
                            () -> relay.interaction().totalInputEvents() == 4);
                    // The guest animates: the second after the input holds frames.
                    RelayEndToEndTest.await("frames after input", Duration.ofSeconds(10),
                            () -> relay.interaction().framesPerSecondAfterInput() > 0);
                    InteractionStats shown = relay.interaction();
                    LOG.info("QEMU shown: {}", shown);
                    assertEquals(4, shown.inputEvents());
                    assertFalse(shown.probing());
                    assertTrue(shown.damagedPixelsPerSecond() > 0, shown.toString());

                    SourceSwitch away = relay.switchSource(replayerSource, Duration.ofSeconds(10));
                    assertEquals(replayerSource, relay.pixelSource());
                    long damageAtSwitch = relay.interaction().totalDamagedPixels();
                    long updatesAtSwitch = relay.input().updates();
                    RelayEndToEndTest.await("the VM's damage while the fake is shown", Duration.ofSeconds(10),
                            () -> relay.interaction().totalDamagedPixels() > damageAtSwitch
                                    && relay.input().updates() >= updatesAtSwitch + 5);
                    InteractionStats probed = relay.interaction();
                    LOG.info("fake shown (switch {}): {}", away, probed);
                    assertTrue(probed.probing());
                    assertTrue(probed.shortDamagedPixelsPerSecond() > 0, probed.toString());
                    int[] fake = relay.mirror().snapshot();
                    assertArrayEquals(replayer.screen, fake, "the viewers see the fake, not the VM");

                    SourceSwitch back = relay.switchSource(vmSource, Duration.ofSeconds(10));
                    LOG.info("back to QEMU: {} (resync {} us, total {} us)", back, back.resync().toNanos() / 1000,
                            back.total().toNanos() / 1000);
                    assertEquals(vmSource, relay.pixelSource());
                    // Immediate, yet exact: once the VM stops, the incremental updates bring the mirror to its
                    // screen.
                    BufferedImage expected = vm.pauseAndScreendump();
                    int[] reference = expected.getRGB(0, 0, w, h, null, 0, w);
                    for (int i = 0; i < reference.length; i++) {
                        reference[i] &= 0xFFFFFF;
                    }
                    RelayEndToEndTest.await("QEMU's paused screen in the mirror", Duration.ofSeconds(10),
                            () -> java.util.Arrays.equals(reference, relay.mirror().snapshot()));
                    assertTrue(ch.isActive());
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Channel connect(EventLoopGroup group, Relay relay, ViewerHandshakeTest.Viewer viewer)
            throws InterruptedException {
        return viewer.connectTo(group, relay.address());
    }
}
