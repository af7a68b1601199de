package org.replaydesk.display.vnc.internal;

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
