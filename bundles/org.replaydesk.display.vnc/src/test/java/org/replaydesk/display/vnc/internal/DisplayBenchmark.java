package org.replaydesk.display.vnc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;
import org.replaydesk.display.vnc.internal.BenchReport.Server;

/**
 * Issue 3's display benchmark: bytes/s, updates/s and server CPU of the relay against QEMU's own VNC server, per
 * encoding, for the demo guest's {@code anim} and {@code idle} workloads, side by side in one run on one VM. Prints a
 * markdown table and rewrites the section {@value BenchReport#HEADING} of docs/benchmarks.md.
 *
 * <p>A test-source program (not a unit test: a full run takes a quarter of an hour) in this package so that it drives
 * the package-private {@link Relay} exactly as the bundle does. {@code benchmarks/display_bench.sh} builds and runs
 * it; see {@link BenchOptions#USAGE} and {@link BenchReport#METHOD}.
 */
public final class DisplayBenchmark {

    private static final Duration QEMU_BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(20);
    private static final String QEMU = "qemu-system-x86_64";

    /** The relay's threads: the bundle's event loop group name (VncDisplayService) and the upstream reader. */
    static final Predicate<String> RELAY_THREADS = name -> name.startsWith("vnc-display-")
            || name.startsWith("vnc-upstream-");

    private final BenchOptions options;
    private final BenchReport report = new BenchReport();
    private Path tmp;
    private Process qemu;
    private GuestSerialLine serial;
    private EventLoopGroup group;
    private long nanosPerTick;

    private DisplayBenchmark(BenchOptions options) {
        this.options = options;
    }

    /**
     * @param args see {@link BenchOptions#USAGE}
     */
    public static void main(String[] args) throws Exception {
        // The relay logs every viewer at info; hundreds of connections would bury the results.
        // (The test resources set this package to debug; the most specific logger name wins.)
        System.setProperty("org.slf4j.simpleLogger.log.org.replaydesk.display.vnc", "warn");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        DisplayBenchmark bench = new DisplayBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopQemu, "bench-cleanup"));
        try {
            bench.run();
        } catch (IOException | IllegalStateException e) {
            System.err.println("display benchmark failed: " + e.getMessage());
            System.exit(1);
        } finally {
            bench.close();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        long began = System.nanoTime();
        startQemu();
        group = new NioEventLoopGroup(0, new DefaultThreadFactory("vnc-display", true));
        String current = options.workloads().get(0);
        for (String workload : options.workloads()) {
            if (!workload.equals(current)) {
                serial.switchTo(workload, SWITCH_TIMEOUT);
                current = workload;
            }
            System.out.printf("== %s%n", workload);
            // The first frames after a switch (and the boot) are not the steady state.
            Thread.sleep(Math.max(3, options.warmupSeconds()) * 1000L);
            for (int round = 1; round <= options.rounds(); round++) {
                measureBaseline(workload, round);
                for (BenchEncoding encoding : options.encodings()) {
                    List<Server> order = round % 2 == 1 ? List.of(Server.QEMU, Server.RELAY)
                            : List.of(Server.RELAY, Server.QEMU);
                    for (Server server : order) {
                        measure(workload, encoding, server, round);
                    }
                }
            }
        }
        // The guest reports its frame count every 5 s of its time: let the line after the last window arrive.
        Thread.sleep(6000);
        report.frameRates(serial::framesPerSecond);
        String header = header((System.nanoTime() - began) / 1e9);
        System.out.println();
        System.out.println(report.section(header));
        if (options.docs() != null) {
            String doc = Files.exists(options.docs()) ? Files.readString(options.docs()) : "# ReplayDesk benchmarks\n";
            Files.writeString(options.docs(), BenchReport.replaceSection(doc, report.section(header)));
            System.out.println("wrote the section \"" + BenchReport.HEADING + "\" of " + options.docs());
        }
    }

    private void startQemu() throws IOException, InterruptedException {
        Path guest = options.guestDir().toAbsolutePath().normalize();
        for (String file : List.of("vmlinuz", "initrd.gz")) {
            if (!Files.isRegularFile(guest.resolve(file))) {
                throw new IOException("demo guest file " + guest.resolve(file) + " is missing: build it with "
                        + "`mvn -pl native-hooks package -DskipTests` or pass --guest DIR");
            }
        }
        nanosPerTick = CpuClocks.nanosPerTick();
        // Unix socket paths are limited to 107 bytes: keep them directly under /tmp.
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdbench");
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-name", "bench,debug-threads=on", "-nodefaults",
                "-machine", "pc", "-accel", "tcg", "-smp", "1", "-m", "256"));
        if (options.icount()) {
            // As every ReplayDesk VM (QemuCommandLine), without the record log.
            cmd.addAll(List.of("-icount", "shift=auto", "-rtc", "base=utc,clock=vm"));
        }
        cmd.addAll(List.of("-kernel", guest.resolve("vmlinuz").toString(), "-initrd",
                guest.resolve("initrd.gz").toString(), "-append", "console=ttyS0 vga=0x312 quiet rd.wl="
                        + options.workloads().get(0) + " rd.fps=" + options.fps() + " rd.stats=1",
                "-vga", "std", "-display", "none",
                // Two displays of the one VM: QEMU's default (lossless, what the relay reads) and one with lossy=on,
                // without which QEMU ignores JPEG quality levels; lossy=on also turns on QEMU's other lossy methods,
                // so only the JPEG viewer uses it. A display with no client costs next to nothing.
                "-vnc", "unix:" + vncSocket(), "-vnc", "unix:" + lossyVncSocket() + ",lossy=on,id=lossy",
                "-chardev", "socket,id=serial0,path=" + tmp.resolve("serial.sock") + ",server=on,wait=off",
                "-serial", "chardev:serial0", "-net", "none"));
        try {
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("qemu.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run " + QEMU + " (install the qemu-system-x86 package): " + e.getMessage(),
                    e);
        }
        System.out.printf("QEMU pid %d: %s%n", qemu.pid(), String.join(" ", cmd));
        serial = GuestSerialLine.connect(tmp.resolve("serial.sock"), CONNECT_TIMEOUT, qemu);
        try {
            String ready = serial.await("RD: ready", QEMU_BOOT_TIMEOUT);
            System.out.println("guest: " + ready);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; QEMU log: " + qemuLog(), e);
        }
    }

    private Path vncSocket() {
        return tmp.resolve("vnc.sock");
    }

    private Path lossyVncSocket() {
        return tmp.resolve("vnc-lossy.sock");
    }

    /** QEMU alone, no VNC client: its display side still refreshes the VGA surface now and then. */
    private void measureBaseline(String workload, int round) throws IOException, InterruptedException {
        long q0 = CpuClocks.qemuDisplayNanos(qemu.pid(), nanosPerTick);
        long t0 = System.nanoTime();
        Thread.sleep(options.seconds() * 1000L);
        long q1 = CpuClocks.qemuDisplayNanos(qemu.pid(), nanosPerTick);
        double seconds = (System.nanoTime() - t0) / 1e9;
        report.add(new BenchReport.Baseline(workload, seconds, q1 - q0));
        System.out.printf(Locale.ROOT, "%-5s round %d  no client            QEMU display %5.1f%%%n", workload, round,
                (q1 - q0) / seconds / 1e7);
    }

    private void measure(String workload, BenchEncoding encoding, Server server, int round) throws Exception {
        Relay relay = null;
        try {
            SocketAddress address;
            if (server == Server.RELAY) {
                relay = new Relay("bench", org.replaydesk.display.vnc.DisplaySource.unixSocket(vncSocket()), new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), 
                        group, r -> { });
                relay.start(CONNECT_TIMEOUT);
                address = relay.address();
            } else {
                address = UnixDomainSocketAddress.of(encoding.lossy ? lossyVncSocket() : vncSocket());
            }
            try (BenchViewer viewer = new BenchViewer(address, encoding.setEncodings())) {
                viewer.start(CONNECT_TIMEOUT);
                Thread.sleep(options.warmupSeconds() * 1000L);
                long bytes0 = viewer.receivedBytes();
                long updates0 = viewer.updates();
                long upstream0 = relay == null ? 0 : relay.upstreamUpdates();
                Map<Long, Long> relay0 = CpuClocks.threadNanos(RELAY_THREADS);
                long qemu0 = CpuClocks.qemuDisplayNanos(qemu.pid(), nanosPerTick);
                long t0 = System.nanoTime();
                Thread.sleep(options.seconds() * 1000L);
                long qemu1 = CpuClocks.qemuDisplayNanos(qemu.pid(), nanosPerTick);
                Map<Long, Long> relay1 = CpuClocks.threadNanos(RELAY_THREADS);
                long t1 = System.nanoTime();
                long bytes = viewer.receivedBytes() - bytes0;
                long updates = viewer.updates() - updates0;
                long upstreamUpdates = relay == null ? 0 : relay.upstreamUpdates() - upstream0;
                if (viewer.failure() != null) {
                    throw new IOException(server.label + " dropped the benchmark viewer (" + encoding.label + "): "
                            + viewer.failure(), viewer.failure());
                }
                if (relay != null && !relay.upstreamConnected()) {
                    throw new IOException("the relay lost its connection to QEMU during the " + encoding.label
                            + " window");
                }
                if (viewer.nonBlackPixels() == 0) {
                    throw new IOException("the benchmark viewer's screen is black after " + encoding.label + " from "
                            + server.label + ": the guest drew nothing or the decoding is wrong");
                }
                double seconds = (t1 - t0) / 1e9;
                long relayNanos = server == Server.RELAY ? CpuClocks.elapsed(relay0, relay1) : 0;
                BenchReport.Window window = new BenchReport.Window(workload, encoding, server, seconds, bytes, updates,
                        qemu1 - qemu0, relayNanos, t0, t1);
                report.add(window);
                // For the relay, also what it got from QEMU: fewer updates out than in means it coalesced.
                System.out.printf(Locale.ROOT, "%-5s round %d  %-15s %-8s %8.1f KB/s %5.1f updates/s%s  QEMU display "
                        + "%5.1f%%  relay %5.1f%%  rectangles %s%n", workload, round, encoding.label, server.label,
                        bytes / seconds / 1024, updates / seconds, relay == null ? ""
                                : String.format(Locale.ROOT, " (%.1f/s from QEMU)", upstreamUpdates / seconds),
                        (qemu1 - qemu0) / seconds / 1e7, relayNanos / seconds / 1e7, viewer.receivedEncodings());
            }
        } finally {
            if (relay != null) {
                relay.close();
            }
        }
    }

    private String header(double runSeconds) throws IOException {
        String qemuVersion = firstLine(new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start()
                .getInputStream().readAllBytes());
        StringBuilder args = new StringBuilder();
        args.append("--seconds ").append(options.seconds()).append(" --warmup ").append(options.warmupSeconds())
                .append(" --rounds ").append(options.rounds()).append(" --workloads ")
                .append(String.join(",", options.workloads())).append(" --encodings ")
                .append(String.join(",", options.encodings().stream().map(e -> e.option).toList()));
        if (options.fps() != 25) {
            args.append(" --fps ").append(options.fps());
        }
        if (!options.icount()) {
            args.append(" --plain-tcg");
        }
        return String.format(Locale.ROOT, """
                Measured %s UTC on this machine (%d cores), %s, TCG%s, 256 MiB, anim at rd.fps=%d, 640x480;
                windows of %d s after %d s of warm-up, %d round(s), the whole run took %.0f s.
                Reproduce: `benchmarks/display_bench.sh %s`.""",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                Runtime.getRuntime().availableProcessors(), qemuVersion,
                options.icount() ? " `-icount shift=auto`" : " without icount", options.fps(), options.seconds(),
                options.warmupSeconds(), options.rounds(), runSeconds, args);
    }

    private static String firstLine(byte[] output) {
        String s = new String(output, StandardCharsets.UTF_8).strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private String qemuLog() {
        try {
            return Files.readString(tmp.resolve("qemu.log")).strip();
        } catch (IOException e) {
            return "(none)";
        }
    }

    private synchronized void stopQemu() {
        if (qemu != null && qemu.isAlive()) {
            qemu.destroy();
            try {
                if (!qemu.waitFor(5, TimeUnit.SECONDS)) {
                    qemu.destroyForcibly();
                }
            } catch (InterruptedException e) {
                qemu.destroyForcibly();
            }
        }
    }

    private void close() {
        try {
            if (serial != null) {
                serial.close();
            }
        } catch (IOException e) {
            // QEMU goes next anyway
        }
        stopQemu();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not remove " + tmp + ": " + e);
            }
        }
    }
}
