package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.replaydesk.display.vnc.viewers.ImageDifference;
import org.replaydesk.display.vnc.viewers.NoVncBrowser;
import org.replaydesk.qmp.QmpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * noVNC (npm) in headless Chromium against a real QEMU running the demo guest's animation, paused: the canvas must
 * equal QEMU's screendump pixel for pixel. The relay has no WebSocket endpoint yet, so this proves the harness on
 * QEMU's own ({@code -vnc ...,websocket=host:port}); once the relay serves ws://, a test that passes the relay's URL to
 * {@link #assertNoVncShowsTheScreendump} is all it takes. Needs qemu-system-x86, chromium, nodejs, npm (and the npm
 * registry once, for the cache); fails (never skips) without them.
 */
@TestInstance(Lifecycle.PER_CLASS)
class NoVncInteropTest {

    private static final Logger LOG = LoggerFactory.getLogger(NoVncInteropTest.class);
    private static final String PASSWORD = "k3yb0ard";
    private static final Duration CAPTURE_TIMEOUT = Duration.ofSeconds(30);

    private DemoGuestVm vm;
    private int qemuWebSocketPort;
    private BufferedImage screendump;
    private final Path workDir = Path.of("target", "interop-viewers", "novnc").toAbsolutePath();

    @BeforeAll
    void startPausedGuestWithAWebSocketAndAPassword() throws Exception {
        qemuWebSocketPort = freeLoopbackPort();
        // password=on: VNC authentication on QEMU's unix socket and WebSocket alike, so the harness's password path
        // is proven too. The password itself is set over QMP (QEMU takes none on the command line).
        vm = DemoGuestVm.start(",websocket=127.0.0.1:" + qemuWebSocketPort + ",password=on");
        try (QmpClient qmp = QmpClient.connect(vm.workDir().resolve("qmp.sock"), Duration.ofSeconds(10))) {
            qmp.execute("change-vnc-password", Map.of("password", PASSWORD), Duration.ofSeconds(10));
        }
        vm.awaitAnimation(Duration.ofSeconds(45));
        screendump = vm.pauseAndScreendump();
        Files.createDirectories(workDir);
        ImageIO.write(screendump, "png", workDir.resolve("screendump.png").toFile());
    }

    @AfterAll
    void stopQemu() throws Exception {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void noVncShowsQemusWebSocketEndpointExactly() throws Exception {
        assertNoVncShowsTheScreendump("ws://127.0.0.1:" + qemuWebSocketPort + "/", PASSWORD, "qemu");
    }

    /**
     * noVNC through the relay's WebSocket endpoint. noVNC always announces JPEG quality 6, so the display is set to
     * {@code quality=lossless} (the operator's cap) for an exact comparison. The relay itself reaches this QEMU with
     * VNC authentication on its unix socket, and asks viewers for their own password.
     */
    @Test
    void noVncShowsTheRelaysWebSocketEndpointExactlyWithQualityLossless() throws Exception {
        try (RelayOverThisVm relay = new RelayOverThisVm(DisplayQuality.LOSSLESS)) {
            assertNoVncShowsTheScreendump("ws://127.0.0.1:" + relay.webSocketPort() + "/websockify", "r3lay-pw",
                    "relay-lossless");
            assertEquals(1, relay.relay.stats().bytesByEncoding().size(), "one encoding was used");
            assertTrue(relay.relay.stats().bytesByEncoding().containsKey("Tight"), "noVNC prefers Tight");
        }
    }

    /** With the viewer's own quality (noVNC's 6), Tight sends JPEG: the canvas is within the JPEG tolerance. */
    @Test
    void noVncThroughTheRelayWithJpegIsWithinTolerance() throws Exception {
        try (RelayOverThisVm relay = new RelayOverThisVm(DisplayQuality.AUTO)) {
            BufferedImage canvas = NoVncBrowser.capture("ws://127.0.0.1:" + relay.webSocketPort() + "/websockify",
                    "r3lay-pw", workDir.resolve("relay-jpeg"), CAPTURE_TIMEOUT);
            ImageDifference diff = ImageDifference.of(screendump, canvas);
            LOG.info("noVNC via the relay with JPEG quality 6: {}", diff);
            assertTrue(diff.sameSize() && diff.meanError() < 9 && diff.p99Error() < 60,
                    "JPEG error beyond mean < 9, p99 < 60 (TigerVNC's bounds): " + diff);
            assertTrue(!diff.identical(), "quality auto with noVNC's quality 6 should have used JPEG");
        }
    }

    /** A relay on this test's QEMU (VNC auth upstream), with a WebSocket endpoint and VNC auth for viewers. */
    private final class RelayOverThisVm implements AutoCloseable {
        final io.netty.channel.nio.NioEventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        final Relay relay;

        RelayOverThisVm(int quality) throws IOException {
            relay = new Relay("novnc-interop", new org.replaydesk.display.vnc.DisplaySource(vm.vncSocket(), null,
                    null, PASSWORD, null), new java.net.InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.vncAuth("r3lay-pw"), group, r -> { })
                    .withWebSocket(new java.net.InetSocketAddress("127.0.0.1", 0))
                    .withQuality(quality);
            relay.start(Duration.ofSeconds(10));
        }

        int webSocketPort() {
            return relay.webSocketAddress().getPort();
        }

        @Override
        public void close() {
            relay.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void noVncWithAWrongPasswordIsRefused() throws Exception {
        NoVncBrowser.Result result = NoVncBrowser.connect("ws://127.0.0.1:" + qemuWebSocketPort + "/", "wrong-pw",
                workDir.resolve("qemu-wrong-password"), CAPTURE_TIMEOUT);
        assertFalse(result.captured(), "noVNC showed a picture with a wrong password: " + result.log());
        assertTrue(result.log().contains("securityfailure"), "noVNC should report a security failure: "
                + result.log());
    }

    /**
     * The check every WebSocket endpoint must pass: noVNC's canvas equals the paused guest's screendump.
     *
     * @param webSocketUrl the endpoint, e.g. QEMU's or (later) the relay's ws://host:port/
     * @param password the VNC password, or null for security None
     * @param name a folder name for the logs and the picture
     */
    private void assertNoVncShowsTheScreendump(String webSocketUrl, String password, String name) throws Exception {
        long started = System.nanoTime();
        BufferedImage canvas = NoVncBrowser.capture(webSocketUrl, password, workDir.resolve(name), CAPTURE_TIMEOUT);
        long millis = (System.nanoTime() - started) / 1_000_000;
        ImageDifference diff = ImageDifference.of(screendump, canvas);
        assertTrue(diff.referenceHasContent(), "the guest drew almost nothing: " + diff.nonBlackPixels());
        assertTrue(diff.identical(), "noVNC's canvas (" + webSocketUrl + ") differs from the screendump: " + diff);
        LOG.info("noVNC via {}: {}x{} canvas identical to the screendump, {} ms with browser start", webSocketUrl,
                diff.width(), diff.height(), millis);
    }

    /** A port nobody listens on now; QEMU binds it a moment later (a small race, fine on a test machine). */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
