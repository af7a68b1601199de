package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.Rect;

/**
 * The benchmark's viewer over real sockets: straight on a VNC unix socket ({@link FakeVncServer} in place of QEMU),
 * where its byte count is checked to the byte, and through a {@link Relay} over TCP, where the benchmark's relay
 * thread filter must see the relay's CPU.
 */
class BenchViewerTest {

    private static final int W = 32;
    private static final int H = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Path tmp;
    private EventLoopGroup group;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdbenchviewer");
        // Named as in VncDisplayService, which is what DisplayBenchmark.RELAY_THREADS looks for.
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("vnc-display", true));
    }

    @AfterEach
    void tearDown() throws IOException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void countsEveryByteAndUpdateStraightFromTheVncSocket() throws Exception {
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vnc.sock"), W, H);
                BenchViewer viewer = new BenchViewer(UnixDomainSocketAddress.of(tmp.resolve("vnc.sock")),
                        BenchEncoding.RAW.setEncodings())) {
            viewer.start(TIMEOUT);
            long handshake = 12 // ProtocolVersion "RFB 003.008\n"
                    + 1 + 1 // SecurityTypes: count = 1, None
                    + 4 // SecurityResult OK
                    + 24 + 4; // ServerInit: size, pixel format, name length = 4, "fake"
            long fullUpdate = 4 // FramebufferUpdate: type, padding, one rectangle
                    + 12 // rectangle header: x, y, w, h, encoding Raw
                    + W * H * 4; // 32 bpp pixels
            assertEquals(handshake + fullUpdate, viewer.receivedBytes());
            assertEquals(1, viewer.updates());
            long nonBlack = java.util.Arrays.stream(vm.screen).filter(p -> p != 0).count();
            assertEquals(nonBlack, viewer.nonBlackPixels(), "the fake screen is drawn");

            int[] patch = new int[4 * 2];
            vm.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(3, 5, 4, 2), patch)));
            RelayEndToEndTest.await("second update", TIMEOUT, () -> viewer.updates() == 2);
            assertEquals(handshake + fullUpdate + 4 + 12 + 4 * 2 * 4, viewer.receivedBytes());
            long coveredByPatch = 0;
            for (int y = 5; y < 7; y++) {
                for (int x = 3; x < 7; x++) {
                    coveredByPatch += vm.screen[y * W + x] != 0 ? 1 : 0;
                }
            }
            assertEquals(nonBlack - coveredByPatch, viewer.nonBlackPixels(), "the black patch is drawn in place");
            assertEquals(Set.of("Raw(0)"), viewer.receivedEncodings());
            assertNull(viewer.failure());
            // It asked for the next update right after each one, like a live viewer.
            RelayEndToEndTest.await("requests", TIMEOUT,
                    () -> vm.count(org.replaydesk.rfb.FramebufferUpdateRequest.class) == 3);
        }
    }

    @Test
    void throughTheRelayTheRelayThreadsAreMeasuredAndTheViewerIsNot() throws Exception {
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vnc.sock"), W, H);
                Relay relay = new Relay("bench-test", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                        ViewerSecurity.none(),  group, r -> { })) {
            relay.start(TIMEOUT);
            try (BenchViewer viewer = new BenchViewer(relay.address(), BenchEncoding.TIGHT_JPEG6.setEncodings())) {
                viewer.start(TIMEOUT);
                Map<Long, Long> before = CpuClocks.threadNanos(DisplayBenchmark.RELAY_THREADS);
                for (int i = 1; i <= 8; i++) {
                    int[] patch = new int[W * H];
                    java.util.Arrays.fill(patch, 0x010101 * i);
                    vm.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H),
                            patch)));
                    long expected = 1 + i;
                    RelayEndToEndTest.await("update " + i, TIMEOUT, () -> viewer.updates() == expected);
                }
                Map<Long, Long> after = CpuClocks.threadNanos(DisplayBenchmark.RELAY_THREADS);
                assertTrue(CpuClocks.elapsed(before, after) > 0, "the relay's threads used some CPU");
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("bench-viewer-"))
                        .noneMatch(t -> DisplayBenchmark.RELAY_THREADS.test(t.getName())),
                        "the viewer's thread is not counted as the relay's");
                assertEquals(2, after.keySet().stream().filter(id -> before.containsKey(id)).count(),
                        "one event loop and one upstream reader: " + after);
                assertEquals(Set.of("Tight(7)"), viewer.receivedEncodings());
                assertTrue(viewer.receivedBytes() > 0);
            }
        }
    }

    @Test
    void aServerThatIsNotThereIsAClearError() {
        BenchViewer viewer = new BenchViewer(UnixDomainSocketAddress.of(tmp.resolve("missing.sock")),
                List.of(Encodings.RAW));
        IOException e = assertThrows(IOException.class, () -> viewer.start(TIMEOUT));
        assertTrue(e.getMessage().contains("missing.sock"), e.getMessage());
        viewer.close();
    }
}
