package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.rfb.ClientMessage;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole relay over real sockets, with {@link FakeVncServer} in place of QEMU: upstream handshake, mirror,
 * TCP viewers, input forwarding and flow control.
 */
class RelayEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEndToEndTest.class);

    private Path tmp;
    private EventLoopGroup group;

    @BeforeEach
    void setUp() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdrelay");
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void viewerSeesTheScreenItsInputReachesTheVmInOrderAndDamageFollows() throws Exception {
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vnc.sock"), 64, 48);
                Relay relay = new Relay("e2e", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                        ViewerSecurity.none(), group, r -> { })) {
            vm.fullUpdateDelayMillis = 300;
            relay.start(Duration.ofSeconds(5));
            // start() returns only once the first update is in the mirror: a viewer never gets a black first frame.
            assertArrayEquals(vm.screen, relay.mirror().snapshot());
            // The relay switched the VM to its own pixel format and encodings before asking for pixels.
            await("relay setup messages", Duration.ofSeconds(5), () -> vm.received.size() >= 3);
            List<ClientMessage> handshake = new ArrayList<>(vm.received.subList(0, 3));
            assertEquals(new org.replaydesk.rfb.SetPixelFormat(PixelFormat.RGB888_LE), handshake.get(0));
            assertEquals(new org.replaydesk.rfb.SetEncodings(UpstreamClient.ENCODINGS), handshake.get(1));
            assertEquals(new FramebufferUpdateRequest(false, new Rect(0, 0, 64, 48)), handshake.get(2));
            await("mirror filled", Duration.ofSeconds(5), () -> relay.upstreamUpdates() >= 1);
            assertArrayEquals(vm.screen, relay.mirror().snapshot());

            ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                    PixelFormat.RGB888_LE, Encodings.ZRLE);
            Channel ch = viewer.connectTo(group, relay.address());
            await("first update", Duration.ofSeconds(5), () -> viewer.updates().size() == 1);
            assertArrayEquals(vm.screen, ((PixelRectangle) viewer.updates().get(0).rectangles().get(0)).toArray());
            assertEquals(1, relay.viewerCount());

            List<ClientMessage> input = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                input.add(new PointerEvent(i % 2, i % 64, i % 48));
                input.add(new KeyEvent(i % 2 == 0, 0x61 + i % 26));
            }
            input.forEach(ch::write);
            ch.flush();
            await("input forwarded", Duration.ofSeconds(5),
                    () -> vm.count(PointerEvent.class) + vm.count(KeyEvent.class) == input.size());
            assertEquals(input, vm.received.stream().filter(m -> m instanceof PointerEvent || m instanceof KeyEvent)
                    .toList());

            ch.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, 64, 48))).sync();
            int[] patch = new int[16 * 8];
            java.util.Arrays.fill(patch, 0x336699);
            vm.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(10, 20, 16, 8), patch)));
            await("damage update", Duration.ofSeconds(5), () -> viewer.updates().size() == 2);
            PixelRectangle damage = (PixelRectangle) viewer.updates().get(1).rectangles().get(0);
            assertEquals(new Rect(10, 20, 16, 8), damage.rect());
            assertArrayEquals(patch, damage.toArray());
            ch.close().sync();
            await("viewer gone", Duration.ofSeconds(5), () -> relay.viewerCount() == 0);
        }
    }

    @Test
    void aViewerThatStopsReadingDoesNotSlowTheUpstream() throws Exception {
        int w = 320;
        int h = 240;
        int updates = 300;
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vnc.sock"), w, h);
                Relay relay = new Relay("slow", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                        ViewerSecurity.none(), group, r -> { });
                Socket stalled = new Socket()) {
            relay.start(Duration.ofSeconds(5));
            await("mirror filled", Duration.ofSeconds(5), () -> relay.upstreamUpdates() >= 1);
            stalled.setReceiveBufferSize(4096);
            stalled.connect(relay.address());
            handshake38None(stalled);
            DataOutputStream out = new DataOutputStream(stalled.getOutputStream());
            out.write(new byte[] {2, 0, 0, 1, 0, 0, 0, 0}); // SetEncodings: 1 encoding, Raw
            for (int i = 0; i < updates; i++) { // plenty of requests, then never read again
                out.write(new byte[] {3, 1, 0, 0, 0, 0, (byte) (w >> 8), (byte) w, (byte) (h >> 8), (byte) h});
            }
            out.flush();
            await("viewer registered", Duration.ofSeconds(5), () -> relay.viewerCount() == 1);

            int[] frame = new int[w * h];
            long start = System.nanoTime();
            for (int i = 0; i < updates; i++) {
                java.util.Arrays.fill(frame, i * 0x010101);
                vm.send(FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, w, h),
                        frame.clone())));
            }
            await("upstream drained", Duration.ofSeconds(30), () -> relay.upstreamUpdates() >= 1 + updates);
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info("MEASURED: {} full {}x{} upstream updates in {} s ({} updates/s) with a stalled viewer",
                    updates, w, h, String.format("%.2f", seconds), String.format("%.0f", updates / seconds));
            assertEquals(((updates - 1) * 0x010101) & 0xFFFFFF, relay.mirror().snapshot()[0]);
            assertTrue(stalled.isConnected());
        }
    }

    /** RFB 3.8 with security None by hand, for a viewer that must not read anything later. */
    static void handshake38None(Socket socket) throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        byte[] version = new byte[12];
        in.readFully(version);
        assertEquals("RFB 003.008\n", new String(version, StandardCharsets.US_ASCII));
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, in.readUnsignedByte()); // one security type
        assertEquals(1, in.readUnsignedByte()); // None
        out.write(1);
        assertEquals(0, in.readInt()); // SecurityResult OK
        out.write(1); // ClientInit shared
        in.readFully(new byte[20]); // width, height, pixel format
        in.readFully(new byte[in.readInt()]); // name
    }
}
