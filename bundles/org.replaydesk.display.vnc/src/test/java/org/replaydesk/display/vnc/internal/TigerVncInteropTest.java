package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.display.vnc.viewers.ImageDifference;
import org.replaydesk.display.vnc.viewers.TigerVncViewer;
import org.replaydesk.display.vnc.viewers.TigerVncViewer.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TigerVNC's viewer ({@code xtigervncviewer} under Xvfb) through the relay, against one real QEMU running the demo
 * guest's animation, paused: each encoding must render QEMU's screendump exactly (lossless) or within the stated JPEG
 * tolerance; VNC authentication must let the right password in and keep a wrong one out. Needs qemu-system-x86,
 * tigervnc-viewer, xvfb and the demo guest; fails (never skips) without them.
 */
@TestInstance(Lifecycle.PER_CLASS)
class TigerVncInteropTest {

    private static final Logger LOG = LoggerFactory.getLogger(TigerVncInteropTest.class);
    private static final String PASSWORD = "k3yb0ard";
    private static final Duration RENDER_TIMEOUT = Duration.ofSeconds(20);

    /**
     * Tight JPEG at quality 6 (the relay's ImageIO writer: quality 0.79, 4:2:0 chroma), per colour channel against the
     * screendump. Measured on the demo guest's frames (saturated bars and a fine checkerboard, hard on 4:2:0): mean
     * 6.5, 99th percentile 42, max 107; the bounds leave about 40 % of margin. A JPEG that is off by a colour
     * conversion or a misplaced block exceeds them by far.
     */
    private static final double JPEG_MAX_MEAN_ERROR = 9.0;
    private static final int JPEG_MAX_P99_ERROR = 60;

    private DemoGuestVm vm;
    private EventLoopGroup group;
    private Relay relay;
    private BufferedImage screendump;
    private final Path workDir = Path.of("target", "interop-viewers", "tigervnc").toAbsolutePath();

    @BeforeAll
    void startPausedGuestAndRelay() throws Exception {
        vm = DemoGuestVm.start("");
        vm.awaitAnimation(Duration.ofSeconds(45));
        screendump = vm.pauseAndScreendump();
        java.nio.file.Files.createDirectories(workDir);
        save(screendump, "screendump.png");
        group = new NioEventLoopGroup(1);
        relay = new Relay("tigervnc-interop", org.replaydesk.display.vnc.DisplaySource.unixSocket(vm.vncSocket()),
                new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), group, r -> { });
        relay.start(Duration.ofSeconds(10));
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void rawRendersTheScreendumpExactly() throws Exception {
        assertLosslessRendering(relay, Settings.lossless("Raw"), "Raw");
    }

    @Test
    void hextileRendersTheScreendumpExactly() throws Exception {
        assertLosslessRendering(relay, Settings.lossless("Hextile"), "Hextile");
    }

    @Test
    void zrleRendersTheScreendumpExactly() throws Exception {
        assertLosslessRendering(relay, Settings.lossless("ZRLE"), "ZRLE");
    }

    @Test
    void losslessTightRendersTheScreendumpExactly() throws Exception {
        assertLosslessRendering(relay, Settings.lossless("Tight"), "Tight");
    }

    /**
     * ZRLE and Tight with the zlib level the relay starts with (6), so the viewer's CompressLevel pseudo-encoding
     * changes nothing: isolates the encoders' output from the level switch the viewer's default (2) causes.
     */
    @Test
    void zrleAndTightAtTheRelaysOwnCompressLevelRenderTheScreendumpExactly() throws Exception {
        assertLosslessRendering(relay, Settings.lossless("ZRLE").withCompressLevel(6), "ZRLE");
        assertLosslessRendering(relay, Settings.lossless("Tight").withCompressLevel(6), "Tight");
    }

    @Test
    void tightJpegQuality6RendersTheScreendumpWithinTolerance() throws Exception {
        Settings settings = Settings.tightJpeg(6);
        try (TigerVncViewer viewer = connect(relay, settings)) {
            // Wait for the bound rather than for a still screen: on a loaded machine a half-decoded frame can stay
            // still for a while. Then measure a fresh capture of the finished frame.
            viewer.awaitScreen(image -> withinJpegTolerance(ImageDifference.of(screendump, image)),
                    "the screendump within the JPEG tolerance", RENDER_TIMEOUT);
            BufferedImage shown = viewer.awaitStillScreen(RENDER_TIMEOUT);
            ImageDifference diff = ImageDifference.of(screendump, shown);
            LOG.info("MEASURED: xtigervncviewer Tight JPEG quality 6 vs screendump: {}", diff);
            save(shown, "tight-jpeg6.png");
            assertTrue(withinJpegTolerance(diff), "JPEG error beyond mean < " + JPEG_MAX_MEAN_ERROR + ", p99 < "
                    + JPEG_MAX_P99_ERROR + ": " + diff);
            assertViewerUses(relay, "Tight");
        }
    }

    @Test
    void vncAuthenticationWithTheRightPasswordRenders() throws Exception {
        try (Relay secured = securedRelay()) {
            assertLosslessRendering(secured, Settings.lossless("Hextile").withPassword(PASSWORD), "Hextile");
        }
    }

    @Test
    void vncAuthenticationWithAWrongPasswordIsRejected() throws Exception {
        try (Relay secured = securedRelay();
                TigerVncViewer viewer = connect(secured, Settings.lossless("Hextile").withPassword("wrong-pw"),
                        "wrong-password")) {
            viewer.awaitOutput("Authentication failed", Duration.ofSeconds(15));
            RelayEndToEndTest.await("the relay to drop the rejected viewer", Duration.ofSeconds(5),
                    () -> secured.viewerCount() == 0);
            assertEquals(List.of(), secured.viewers(), "a rejected viewer must not be listed");
        }
    }

    /**
     * VeNCrypt with TLS from TigerVNC (GnuTLS): X509Vnc (the VNC password inside TLS) and X509None, against a relay
     * whose certificate chains to the test CA and names 127.0.0.1. The VM is paused, so nothing but the relay's
     * nudges follows the first frame (TigerVNC 1.12 needs them over TLS, see ViewerHandler#scheduleNudge).
     */
    @Test
    void veNCryptTlsRendersTheScreendumpExactly() throws Exception {
        ViewerSecurity tls = ViewerSecurity.of(List.of(Security.X509VNC, Security.X509NONE), PASSWORD, null, null,
                TestPki.get().serverContext());
        Relay secured = new Relay("tigervnc-interop-tls", org.replaydesk.display.vnc.DisplaySource.unixSocket(
                vm.vncSocket()), new InetSocketAddress("127.0.0.1", 0), tls, group, r -> { });
        secured.start(Duration.ofSeconds(10));
        try {
            for (String type : List.of("X509Vnc", "X509None")) {
                Settings settings = Settings.lossless("ZRLE").withTls(type, TestPki.get().caCertificate);
                if (type.equals("X509Vnc")) {
                    settings = settings.withPassword(PASSWORD);
                }
                try (TigerVncViewer viewer = TigerVncViewer.connect("127.0.0.1", secured.address().getPort(),
                        screendump.getWidth(), screendump.getHeight(), settings, workDir.resolve("tls-" + type))) {
                    BufferedImage shown = viewer.awaitScreen(image -> ImageDifference.of(screendump, image)
                            .identical(), "the screendump over " + type, RENDER_TIMEOUT);
                    save(shown, "tls-" + type + ".png");
                }
            }
        } finally {
            secured.close();
        }
    }

    private static boolean withinJpegTolerance(ImageDifference diff) {
        return diff.sameSize() && diff.meanError() < JPEG_MAX_MEAN_ERROR && diff.p99Error() < JPEG_MAX_P99_ERROR;
    }

    private Relay securedRelay() throws Exception {
        Relay secured = new Relay("tigervnc-interop-auth", org.replaydesk.display.vnc.DisplaySource.unixSocket(vm.vncSocket()),
                new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.vncAuth(PASSWORD), group, r -> { });
        secured.start(Duration.ofSeconds(10));
        return secured;
    }

    private void assertLosslessRendering(Relay target, Settings settings, String relayEncoding) throws Exception {
        long started = System.nanoTime();
        try (TigerVncViewer viewer = connect(target, settings)) {
            BufferedImage shown = viewer.awaitScreen(image -> ImageDifference.of(screendump, image).identical(),
                    "QEMU's screendump, pixel for pixel", RENDER_TIMEOUT);
            ImageDifference diff = ImageDifference.of(screendump, shown);
            assertTrue(diff.referenceHasContent(), "the guest drew almost nothing: " + diff.nonBlackPixels());
            assertViewerUses(target, relayEncoding);
            LOG.info("xtigervncviewer {}: {}x{} identical to the screendump after {} ms", settings, diff.width(),
                    diff.height(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** The relay must really have served the encoding under test, not fallen back to another one. */
    private static void assertViewerUses(Relay target, String relayEncoding) throws InterruptedException {
        // The previous test's viewer may still be leaving.
        RelayEndToEndTest.await("only this test's viewer on the relay", Duration.ofSeconds(5),
                () -> target.viewers().size() == 1);
        List<ViewerInfo> viewers = target.viewers();
        assertEquals(1, viewers.size(), "viewers on the relay: " + viewers);
        assertEquals(relayEncoding, viewers.get(0).encoding(), "encoding the relay chose for xtigervncviewer");
    }

    private TigerVncViewer connect(Relay target, Settings settings) throws Exception {
        return connect(target, settings, settings.toString().replace(' ', '-'));
    }

    private TigerVncViewer connect(Relay target, Settings settings, String folder) throws Exception {
        InetSocketAddress address = target.address();
        return TigerVncViewer.connect(address.getHostString(), address.getPort(), screendump.getWidth(),
                screendump.getHeight(), settings, workDir.resolve(folder));
    }

    private void save(BufferedImage image, String name) throws Exception {
        ImageIO.write(image, "png", workDir.resolve(name).toFile());
    }
}
