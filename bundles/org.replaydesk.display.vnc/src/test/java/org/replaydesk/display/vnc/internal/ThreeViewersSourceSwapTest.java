package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioEventLoopGroup;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.display.vnc.viewers.ImageDifference;
import org.replaydesk.display.vnc.viewers.TigerVncViewer;
import org.replaydesk.display.vnc.viewers.TigerVncViewer.Settings;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.KeyEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three viewers on one display of a real QEMU: two TigerVNC viewers under Xvfb (ZRLE in control, Hextile
 * view-only) and an RFB client built from the codec library (Tight). The view-only viewer's pointer is dropped while
 * the other's reaches the VM; then the display's pixel source is swapped to a second QEMU showing another frame and
 * back, and every viewer stays connected and ends with the new source's exact pixels.
 */
class ThreeViewersSourceSwapTest {

    private static final Logger LOG = LoggerFactory.getLogger(ThreeViewersSourceSwapTest.class);
    private static final Duration RENDER = Duration.ofSeconds(20);

    @Test
    void threeViewersStayConnectedAcrossSourceSwapsAndOnlyTheControllingOneTypes() throws Exception {
        Path work = Path.of("target", "interop-viewers", "three").toAbsolutePath();
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try (DemoGuestVm vmA = DemoGuestVm.start(""); DemoGuestVm vmB = DemoGuestVm.start("")) {
            vmA.awaitAnimation(Duration.ofSeconds(60));
            BufferedImage frameA = vmA.pauseAndScreendump();
            vmB.awaitAnimation(Duration.ofSeconds(60));
            Thread.sleep(700); // a different frame of the same animation
            BufferedImage frameB = vmB.pauseAndScreendump();
            assertFalse(ImageDifference.of(frameA, frameB).identical(), "the two VMs must show different frames");
            DisplaySource sourceA = DisplaySource.unixSocket(vmA.vncSocket());
            DisplaySource sourceB = DisplaySource.unixSocket(vmB.vncSocket());

            try (Relay relay = new Relay("three", sourceA, new InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.none(), group, r -> { })) {
                relay.start(Duration.ofSeconds(10));
                int port = relay.address().getPort();
                int w = frameA.getWidth();
                int h = frameA.getHeight();
                try (TigerVncViewer control = TigerVncViewer.connect("127.0.0.1", port, w, h,
                        Settings.lossless("ZRLE"), work.resolve("control"));
                        TigerVncViewer watcher = TigerVncViewer.connect("127.0.0.1", port, w, h,
                                Settings.lossless("Hextile"), work.resolve("watcher"));
                        BenchViewer codecClient = new BenchViewer(relay.address(), List.of(Encodings.TIGHT,
                                Encodings.DESKTOP_SIZE))) {
                    control.awaitScreen(img -> ImageDifference.of(frameA, img).identical(), "frame A", RENDER);
                    watcher.awaitScreen(img -> ImageDifference.of(frameA, img).identical(), "frame A", RENDER);
                    codecClient.start(Duration.ofSeconds(10));
                    RelayEndToEndTest.await("three viewers", Duration.ofSeconds(10), () -> relay.viewerCount() == 3);

                    // Which connection is which: the two TigerVNC viewers connect in either order; their encodings
                    // tell them apart.
                    ViewerHandler controlHandler = relay.viewersForTest().stream()
                            .filter(v -> v.encoding() == Encodings.ZRLE).findFirst().orElseThrow();
                    ViewerHandler watcherHandler = relay.viewersForTest().stream()
                            .filter(v -> v.encoding() == Encodings.HEXTILE).findFirst().orElseThrow();
                    watcherHandler.setViewOnly(true);
                    // A viewer reports the pointer once when its window maps, before it was made view-only.
                    long watcherForwardedBefore = watcherHandler.forwardedInput();
                    // A freshly mapped viewer may take a moment before it reports pointer motion: keep moving.
                    moveUntil(watcher, () -> watcherHandler.droppedInput() > 0, () -> "the watcher's pointer dropped ("
                            + "control " + controlHandler.forwardedInput() + "/" + controlHandler.droppedInput()
                            + ", watcher " + watcherHandler.forwardedInput() + "/" + watcherHandler.droppedInput()
                            + ")");
                    moveUntil(control, () -> controlHandler.forwardedInput() > 0,
                            () -> "the controlling viewer's pointer forwarded");
                    assertEquals(watcherForwardedBefore, watcherHandler.forwardedInput(),
                            "nothing the view-only viewer sent reached the VM");
                    codecClient.send(new KeyEvent(true, 0x20));
                    codecClient.send(new KeyEvent(false, 0x20));

                    long t0 = System.nanoTime();
                    SourceSwitch toB = relay.switchSource(sourceB, Duration.ofSeconds(10));
                    control.awaitScreen(img -> ImageDifference.of(frameB, img).identical(), "frame B", RENDER);
                    long toBMillis = (System.nanoTime() - t0) / 1_000_000;
                    watcher.awaitScreen(img -> ImageDifference.of(frameB, img).identical(), "frame B", RENDER);
                    RelayEndToEndTest.await("codec client shows frame B", RENDER,
                            () -> java.util.Arrays.equals(pixels(frameB), codecClient.framebuffer()));
                    assertTrue(toB.changedPixels() > 0 && toB.changedPixels() < toB.totalPixels(), toB.toString());
                    assertEquals(3, relay.viewerCount(), "nobody was disconnected");
                    assertTrue(control.isAlive() && watcher.isAlive());
                    LOG.info("MEASURED: swap to the second VM: resync {} ms, {} of {} pixels differed, TigerVNC "
                            + "showed the new frame {} ms after the request", toB.resync().toMillis(),
                            toB.changedPixels(), toB.totalPixels(), toBMillis);

                    SourceSwitch back = relay.switchSource(sourceA, Duration.ofSeconds(10));
                    control.awaitScreen(img -> ImageDifference.of(frameA, img).identical(), "frame A again", RENDER);
                    watcher.awaitScreen(img -> ImageDifference.of(frameA, img).identical(), "frame A again", RENDER);
                    RelayEndToEndTest.await("codec client shows frame A again", RENDER,
                            () -> java.util.Arrays.equals(pixels(frameA), codecClient.framebuffer()));
                    assertEquals(3, relay.viewerCount());
                    LOG.info("MEASURED: swap back: resync {} ms (connection kept), {} pixels differed",
                            back.resync().toMillis(), back.changedPixels());
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void moveUntil(TigerVncViewer viewer, java.util.function.BooleanSupplier done,
            java.util.function.Supplier<String> what)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int step = 0;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what.get() + "; viewer output: "
                        + viewer.output());
            }
            viewer.movePointer(50 + (step * 37) % 500, 40 + (step * 23) % 400);
            step++;
            Thread.sleep(200);
        }
    }

    private static int[] pixels(BufferedImage image) {
        int[] p = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < p.length; i++) {
            p[i] &= 0xFFFFFF;
        }
        return p;
    }
}
