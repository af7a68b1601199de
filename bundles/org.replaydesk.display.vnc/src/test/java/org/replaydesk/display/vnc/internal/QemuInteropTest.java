package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.qmp.QmpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interop with real programs: QEMU 7.2 running the demo guest's animation behind {@code -vnc unix:...}, the relay
 * on a loopback TCP port, and gtk-vnc's {@code gvnccapture} as the viewer. A missing program or guest file fails the
 * test (it never skips): this is the proof that the relay works with the real thing.
 */
class QemuInteropTest {

    private static final Logger LOG = LoggerFactory.getLogger(QemuInteropTest.class);
    private static final Duration GUEST_DRAW_TIME = Duration.ofSeconds(15);

    private Path tmp;
    private Process qemu;
    private EventLoopGroup group;

    @BeforeEach
    void startQemu() throws Exception {
        Path guest = Path.of(System.getProperty("replaydesk.guest.dir", "../../native-hooks/target/guest"))
                .toAbsolutePath().normalize();
        for (String file : List.of("vmlinuz", "initrd.gz")) {
            assertTrue(Files.isRegularFile(guest.resolve(file)), "demo guest file " + guest.resolve(file)
                    + " is missing: build native-hooks (mvn -pl native-hooks install) or set -Dreplaydesk.guest.dir");
        }
        // Unix socket paths are limited to 107 bytes: keep them directly under /tmp.
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdvnc");
        List<String> cmd = List.of("qemu-system-x86_64", "-nodefaults", "-machine", "pc", "-accel", "tcg", "-smp", "1",
                "-m", "256", "-kernel", guest.resolve("vmlinuz").toString(), "-initrd",
                guest.resolve("initrd.gz").toString(), "-append", "console=ttyS0 vga=0x312 quiet rd.wl=anim",
                "-vga", "std", "-display", "none", "-vnc", "unix:" + tmp.resolve("vnc.sock"), "-qmp",
                "unix:" + tmp.resolve("qmp.sock") + ",server=on,wait=off", "-net", "none");
        try {
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("qemu.log").toFile())
                    .start();
        } catch (IOException e) {
            fail("cannot run qemu-system-x86_64 (install qemu-system-x86): " + e.getMessage());
        }
        group = new NioEventLoopGroup(1);
    }

    @AfterEach
    void stopQemu() throws Exception {
        if (qemu != null) {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void gvnccaptureThroughTheRelayIsPixelIdenticalToQemusScreendump() throws Exception {
        waitForGuest();
        measureRelayWhileTheGuestAnimates();

        Path screendump = tmp.resolve("screendump.png");
        try (QmpClient qmp = QmpClient.connect(tmp.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            qmp.stop();
            qmp.screendump(screendump, "png");
        }

        BufferedImage expected = ImageIO.read(screendump.toFile());
        assertSamePixels(expected, capture("none", ViewerSecurity.none(), null, null, null));
        // The same through VNC authentication: gvnccapture reads the password from its standard input.
        assertSamePixels(expected, capture("vncauth", ViewerSecurity.vncAuth("k3yb0ard"), null, "k3yb0ard", null));

        // The codec library's client-side decoders against QEMU's own encoders, on the same paused screen.
        for (int encoding : new int[] {org.replaydesk.rfb.Encodings.ZRLE, org.replaydesk.rfb.Encodings.HEXTILE,
                org.replaydesk.rfb.Encodings.TIGHT}) {
            try (Relay relay = new Relay("upstream-" + encoding, org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")),
                    new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), group, r -> { })
                    .withUpstreamEncodings(List.of(encoding, org.replaydesk.rfb.Encodings.DESKTOP_SIZE))) {
                relay.start(Duration.ofSeconds(10));
                RelayEndToEndTest.await("first upstream update", Duration.ofSeconds(10),
                        () -> relay.upstreamUpdates() >= 1);
                int w = relay.mirror().width();
                BufferedImage mirrored = new BufferedImage(w, relay.mirror().height(), BufferedImage.TYPE_INT_RGB);
                mirrored.setRGB(0, 0, w, relay.mirror().height(), relay.mirror().snapshot(), 0, w);
                LOG.info("upstream {}:", org.replaydesk.rfb.Encodings.name(encoding));
                assertSamePixels(expected, mirrored);
            }
        }
    }

    /**
     * VeNCrypt with TLS through a real viewer. gtk-vnc verifies the relay's certificate against
     * {@code $HOME/.pki/CA/cacert.pem} and the host name 127.0.0.1 against its subjectAltName. gvnccapture prefers
     * X509Plain over X509Vnc over X509None, so each run offers one sub-type only; it asks for the user name and the
     * password on its terminal.
     */
    @Test
    void gvnccaptureOverVeNCryptTlsIsPixelIdenticalToQemusScreendump() throws Exception {
        TestPki pki = TestPki.get();
        Path screendump = tmp.resolve("screendump.png");
        try (QmpClient qmp = QmpClient.connect(tmp.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            waitUntilTheGuestHasDrawn(qmp, screendump);
            measureTheCostOfTls(pki);
            qmp.stop();
            qmp.screendump(screendump, "png");
        }
        BufferedImage expected = ImageIO.read(screendump.toFile());

        Path trustingHome = viewerHome("trusting", pki.caCertificate);
        for (Security method : List.of(Security.X509NONE, Security.X509VNC, Security.X509PLAIN)) {
            ViewerSecurity security = ViewerSecurity.of(List.of(method), "k3yb0ard", "alice", "c0rrect h0rse",
                    pki.serverContext());
            String user = method == Security.X509PLAIN ? "alice" : null;
            String password = switch (method) {
                case X509VNC -> "k3yb0ard";
                case X509PLAIN -> "c0rrect h0rse";
                default -> null;
            };
            long t0 = System.nanoTime();
            assertSamePixels(expected, capture(method.configName(), security, user, password, trustingHome));
            LOG.info("MEASURED: gvnccapture over {} (connect, TLS, auth, one 640x480 frame): {} ms",
                    method.configName(), (System.nanoTime() - t0) / 1_000_000);
        }
        // The proof that gtk-vnc really checks the certificate: trusting another CA, it must refuse the relay.
        String refused = captureFails("x509none-untrusted", ViewerSecurity.of(List.of(Security.X509NONE), null, null,
                null, pki.serverContext()), viewerHome("distrusting", pki.otherCaCertificate));
        LOG.info("gvnccapture trusting another CA: {}", refused.trim());
    }

    /**
     * A live Raw viewer (the codec library's client side) on the animating guest, without and then with TLS
     * (X509None, client SslHandler with the JDK): updates/s it gets, bytes/s of updates (counted before TLS) and the
     * test JVM's CPU. Relay, TLS on both ends and the viewer's decoding share one event loop thread here, so this is
     * an upper bound of the relay's TLS cost, not the relay's alone.
     */
    private void measureTheCostOfTls(TestPki pki) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (boolean tls : new boolean[] {false, true}) {
            ViewerSecurity security = tls ? ViewerSecurity.of(List.of(Security.X509NONE), null, null, null,
                    pki.serverContext()) : ViewerSecurity.none();
            try (Relay relay = new Relay("measure-tls", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                    security, group, r -> { })) {
                relay.start(Duration.ofSeconds(10));
                java.util.function.LongSupplier updates;
                io.netty.channel.ChannelHandler viewer;
                if (tls) {
                    ViewerTlsHandshakeTest.TlsViewer v = new ViewerTlsHandshakeTest.TlsViewer(
                            org.replaydesk.rfb.ProtocolVersion.V3_8, org.replaydesk.rfb.VeNCryptSubtype.X509_NONE,
                            ViewerTlsHandshakeTest.trusting(pki.caCertificate), null, null,
                            ViewerTlsHandshakeTest.Misbehaviour.NONE);
                    v.continuous = true;
                    updates = v.updateCount::get;
                    viewer = v;
                } else {
                    ViewerHandshakeTest.Viewer v = new ViewerHandshakeTest.Viewer(
                            org.replaydesk.rfb.ProtocolVersion.V3_8, null, org.replaydesk.rfb.PixelFormat.RGB888_LE,
                            org.replaydesk.rfb.Encodings.RAW);
                    v.continuous = true;
                    updates = v.updateCount::get;
                    viewer = v;
                }
                io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group)
                        .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                        .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                            @Override
                            protected void initChannel(io.netty.channel.Channel c) {
                                c.pipeline().addLast("rfb", new org.replaydesk.rfb.codec.ProtocolVersionDecoder());
                                c.pipeline().addLast(org.replaydesk.rfb.codec.RfbMessageEncoder.INSTANCE);
                                c.pipeline().addLast(viewer);
                            }
                        }).connect(relay.address()).sync().channel();
                // Warm up: the JDK's AES-GCM runs interpreted until C2 compiles its intrinsics.
                Thread.sleep(4000);
                long down0 = updates.getAsLong();
                long bytes0 = relay.stats().totalBytes();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Thread.sleep(5000);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double down = (updates.getAsLong() - down0) / seconds;
                double mbps = (relay.stats().totalBytes() - bytes0) / seconds / 1e6;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds * 100;
                ch.close().sync();
                LOG.info("MEASURED: Raw viewer {}: {} updates/s, {} MB/s of updates, test JVM CPU {}% of one core",
                        tls ? "over TLS (X509None)" : "in clear", String.format("%.1f", down),
                        String.format("%.1f", mbps), String.format("%.0f", cpu));
                assertTrue(down > 1, "the viewer should get more than one update per second, got " + down);
            }
        }
    }

    /** Polls screendumps until the guest has drawn on at least a tenth of the screen: boots are slow on TCG. */
    private void waitUntilTheGuestHasDrawn(QmpClient qmp, Path file) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            if (!qemu.isAlive()) {
                fail("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(tmp.resolve("qemu.log")));
            }
            Files.deleteIfExists(file);
            qmp.screendump(file, "png");
            BufferedImage image = ImageIO.read(file.toFile());
            long drawn = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    drawn += (image.getRGB(x, y) & 0xFFFFFF) != 0 ? 1 : 0;
                }
            }
            if (drawn > (long) image.getWidth() * image.getHeight() / 10) {
                return;
            }
            if (System.nanoTime() > end) {
                fail("the guest drew nothing in 120 s: " + Files.readString(tmp.resolve("qemu.log")));
            }
            Thread.sleep(1000);
        }
    }

    /**
     * gtk-vnc finds the user's certificate folder through {@code getpwuid(getuid())->pw_dir}, not {@code $HOME}, so
     * setting HOME does nothing; nss_wrapper (an LD_PRELOAD library made for tests) gives the viewer a passwd entry
     * whose home is {@code home}, without touching the real home directory.
     */
    private void fakeHomeDirectory(ProcessBuilder builder, Path home) throws IOException {
        Path library = Path.of("/usr/lib/x86_64-linux-gnu/libnss_wrapper.so");
        assertTrue(Files.exists(library), library + " is missing: install the libnss-wrapper package "
                + "(scripts/packages.sh); gvnccapture needs it to read the test CA instead of the real ~/.pki");
        String uid = null;
        String gid = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                uid = line.split("\\s+")[1];
            } else if (line.startsWith("Gid:")) {
                gid = line.split("\\s+")[1];
            }
        }
        Path passwd = home.resolve("passwd");
        Path group = home.resolve("group");
        Files.writeString(passwd, "viewer:x:" + uid + ":" + gid + ":viewer:" + home + ":/bin/sh\n");
        Files.writeString(group, "viewer:x:" + gid + ":\n");
        builder.environment().put("LD_PRELOAD", library.toString());
        builder.environment().put("NSS_WRAPPER_PASSWD", passwd.toString());
        builder.environment().put("NSS_WRAPPER_GROUP", group.toString());
        builder.environment().put("HOME", home.toString());
    }

    /** A home for gvnccapture whose .pki/CA/cacert.pem is the given CA certificate. */
    private Path viewerHome(String name, Path caCertificate) throws IOException {
        Path home = tmp.resolve("home-" + name);
        Files.createDirectories(home.resolve(".pki/CA"));
        Files.copy(caCertificate, home.resolve(".pki/CA/cacert.pem"));
        return home;
    }

    /** Runs a relay with the given security on a port gvnccapture can name, and returns what gvnccapture saw. */
    private BufferedImage capture(String label, ViewerSecurity security, String user, String password, Path home)
            throws Exception {
        Path captured = tmp.resolve("gvnccapture-" + label + ".png");
        Result result = runGvnccapture(label, security, user, password, home, captured, false);
        assertEquals(0, result.exitCode, "gvnccapture (" + label + ") failed: " + result.output);
        return ImageIO.read(captured.toFile());
    }

    /** Like {@link #capture} but gvnccapture must fail; returns its output. */
    private String captureFails(String label, ViewerSecurity security, Path home) throws Exception {
        Path captured = tmp.resolve("gvnccapture-" + label + ".png");
        Result result = runGvnccapture(label, security, null, null, home, captured, true);
        assertTrue(result.exitCode != 0 && !Files.exists(captured),
                "gvnccapture (" + label + ") should have refused the relay: " + result.output);
        // With --debug, gtk-vnc says why: the line naming the error.
        return result.output.lines().filter(l -> l.contains("Error")).findFirst().orElse(result.output);
    }

    private record Result(int exitCode, String output) {
    }

    private Result runGvnccapture(String label, ViewerSecurity security, String user, String password, Path home,
            Path captured, boolean debug) throws Exception {
        int port = freePortForVncDisplayNumber();
        try (Relay relay = new Relay("interop", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", port),
                security, group, r -> { })) {
            relay.start(Duration.ofSeconds(10));
            Path log = tmp.resolve("gvnc-" + label + ".log");
            String target = "127.0.0.1:" + (port - 5900);
            // gvnccapture reads a password only from a terminal (it turns echo off), so it then runs under
            // script(1), which gives it a pseudo-terminal fed from our pipe. It asks "Username: " (echoed) first.
            List<String> cmd = password == null
                    ? List.of("gvnccapture", debug ? "--debug" : "--quiet", target, captured.toString())
                    : List.of("script", "-q", "-e", "-c", "gvnccapture --quiet " + target + " " + captured,
                            "/dev/null");
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (home != null) {
                fakeHomeDirectory(builder, home);
            }
            Process viewer;
            try {
                viewer = builder.start();
            } catch (IOException e) {
                fail("cannot run " + cmd.get(0) + " (install the gvncviewer package): " + e.getMessage());
                return null;
            }
            StringBuffer output = new StringBuffer();
            java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
            var stdin = viewer.getOutputStream();
            Thread pump = new Thread(() -> {
                try (var in = viewer.getInputStream()) {
                    int c;
                    boolean userSent = false;
                    while ((c = in.read()) >= 0) {
                        output.append((char) c);
                        // Answer only once asked: gvnccapture flushes pending terminal input when it turns echo off.
                        if (user != null && !userSent && output.indexOf("Username:") >= 0) {
                            synchronized (stdin) {
                                stdin.write((user + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                                stdin.flush();
                            }
                            userSent = true;
                        }
                        if (password != null && output.indexOf("Password:") >= 0) {
                            asked.countDown();
                        }
                    }
                } catch (IOException e) {
                    output.append(e);
                }
            });
            // gvnccapture prints "Password:" a moment before it turns echo off (flushing pending input): typed
            // in between, the password is lost. So type a little after the prompt, and again if nothing happens.
            Thread typer = new Thread(() -> {
                try {
                    asked.await();
                    for (int attempt = 0; attempt < 4 && viewer.isAlive(); attempt++) {
                        Thread.sleep(300);
                        int before = output.length();
                        synchronized (stdin) {
                            stdin.write((password + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            stdin.flush();
                        }
                        Thread.sleep(4000);
                        if (!viewer.isAlive() || output.length() > before + password.length() + 2) {
                            return;
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    // the viewer ended
                }
            });
            typer.setDaemon(true);
            if (password != null) {
                typer.start();
            }
            pump.start();
            if (!viewer.waitFor(60, TimeUnit.SECONDS)) {
                viewer.destroyForcibly();
                fail("gvnccapture (" + label + ") did not finish in 60 s: " + output);
            }
            pump.join(5000);
            Files.writeString(log, output);
            return new Result(viewer.exitValue(), output.toString());
        }
    }

    private void waitForGuest() throws InterruptedException, IOException {
        long end = System.nanoTime() + GUEST_DRAW_TIME.toNanos();
        while (System.nanoTime() < end) {
            if (!qemu.isAlive()) {
                fail("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(tmp.resolve("qemu.log")));
            }
            Thread.sleep(250);
        }
    }

    /** Logs the upstream update rate and the JVM's CPU use while a relay mirrors the running animation. */
    private void measureRelayWhileTheGuestAnimates() throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Relay relay = new Relay("measure", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                ViewerSecurity.none(), group, r -> { })) {
            relay.start(Duration.ofSeconds(10));
            long updates0 = relay.upstreamUpdates();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(5000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double fps = (relay.upstreamUpdates() - updates0) / seconds;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds * 100;
            LOG.info("MEASURED: {} upstream updates/s from QEMU ({}x{}), no viewer, test JVM CPU {}% of one core",
                    String.format("%.1f", fps), relay.mirror().width(), relay.mirror().height(),
                    String.format("%.0f", cpu));
            assertTrue(fps > 1, "the animation should give more than one update per second, got " + fps);
            for (int encoding : new int[] {org.replaydesk.rfb.Encodings.RAW, org.replaydesk.rfb.Encodings.ZRLE,
                    org.replaydesk.rfb.Encodings.TIGHT}) {
                measureViewer(relay, os, encoding);
            }
        }
    }

    /** A live viewer (the codec library's client side) on the relay: updates/s it receives and CPU used. */
    private void measureViewer(Relay relay, com.sun.management.OperatingSystemMXBean os, int encoding)
            throws Exception {
        ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(org.replaydesk.rfb.ProtocolVersion.V3_8,
                null, org.replaydesk.rfb.PixelFormat.RGB888_LE, encoding);
        viewer.continuous = true;
        io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group)
                .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel c) {
                        c.pipeline().addLast("rfb", new org.replaydesk.rfb.codec.ProtocolVersionDecoder());
                        c.pipeline().addLast(org.replaydesk.rfb.codec.RfbMessageEncoder.INSTANCE);
                        c.pipeline().addLast(viewer);
                    }
                }).connect(relay.address()).sync().channel();
        Thread.sleep(1000);
        long up0 = relay.upstreamUpdates();
        long down0 = viewer.updateCount.get();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(5000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double up = (relay.upstreamUpdates() - up0) / seconds;
        double down = (viewer.updateCount.get() - down0) / seconds;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds * 100;
        ch.close().sync();
        LOG.info("MEASURED: {} viewer: {} updates/s relayed to it ({} upstream/s), test JVM CPU {}% of one core "
                + "(relay and viewer decoding)", org.replaydesk.rfb.Encodings.name(encoding),
                String.format("%.1f", down), String.format("%.1f", up), String.format("%.0f", cpu));
        assertTrue(down > 1, "the viewer should get more than one update per second, got " + down);
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth(), "width");
        assertEquals(expected.getHeight(), actual.getHeight(), "height");
        int differing = 0;
        String first = null;
        long nonBlack = 0;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y) & 0xFFFFFF;
                int a = actual.getRGB(x, y) & 0xFFFFFF;
                if (e != 0) {
                    nonBlack++;
                }
                if (e != a) {
                    if (first == null) {
                        first = String.format("(%d,%d): screendump %06x, gvnccapture %06x", x, y, e, a);
                    }
                    differing++;
                }
            }
        }
        assertEquals(0, differing, differing + " pixels differ, first at " + first);
        // A black screen would match trivially: the guest must have drawn something.
        assertTrue(nonBlack > expected.getWidth() * expected.getHeight() / 10,
                "the guest drew almost nothing (" + nonBlack + " non-black pixels)");
        LOG.info("{}x{} pixels identical ({} non-black)", expected.getWidth(), expected.getHeight(), nonBlack);
    }

    /** A free loopback port at or above 5900, because gvnccapture takes a display number (port - 5900). */
    private static int freePortForVncDisplayNumber() throws IOException {
        for (int port = 5990 + (int) (ProcessHandle.current().pid() % 500); port < 65000; port += 7) {
            try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException busy) {
                // try the next one
            }
        }
        throw new IOException("no free loopback port above 5900");
    }
}
