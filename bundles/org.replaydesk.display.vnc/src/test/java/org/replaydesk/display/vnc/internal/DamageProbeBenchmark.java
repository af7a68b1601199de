package org.replaydesk.display.vnc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.InteractionStats;

/**
 * What the damage probe costs: a real QEMU 7.2 (TCG, {@code -icount shift=auto} like every ReplayDesk VM) runs the
 * demo guest's {@code anim} workload (the worst case: most of the screen changes 25 times a second) as a display's
 * input source, while the display shows another source (a fake, idle VNC server standing in for the replayer) and
 * has no viewer, i.e. replay mode. For each probe rate (0 = off, then the given rates) it measures over a window:
 * CPU of the relay's threads in this JVM (the input source's reader, the probe timer, the event loops; from
 * {@link java.lang.management.ThreadMXBean}), CPU of QEMU's display side (process minus vCPU threads, from
 * {@code /proc}), updates and bytes received from QEMU, and the damage the relay measured. Percentages are of one
 * core.
 *
 * <pre>
 * java -cp ... org.replaydesk.display.vnc.internal.DamageProbeBenchmark --guest DIR [--seconds 20] [--rounds 2]
 *      [--rates 5,10] [--workload anim]
 * </pre>
 */
public final class DamageProbeBenchmark {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    private DamageProbeBenchmark() {
    }

    /** One measured window. */
    record Row(String workload, int fps, int round, double seconds, double relayCpuPercent,
            double qemuDisplayCpuPercent, double updatesPerSecond, double kilobytesPerSecond,
            double damagedPixelsPerSecond, double switchBackMillis) {
    }

    /**
     * @param args see the class comment
     * @throws Exception if QEMU or the guest cannot run
     */
    public static void main(String[] args) throws Exception {
        Path guest = null;
        int seconds = 20;
        int rounds = 2;
        String workload = "anim";
        List<Integer> rates = new ArrayList<>(List.of(5));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--guest" -> guest = Path.of(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--workload" -> workload = args[++i];
                case "--rates" -> rates = Stream.of(args[++i].split(",")).map(String::trim).map(Integer::valueOf)
                        .toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (guest == null) {
            throw new IllegalArgumentException("--guest DIR (the demo guest: native-hooks/target/guest) is required");
        }
        List<Integer> all = new ArrayList<>();
        all.add(0);
        all.addAll(rates);
        long started = System.nanoTime();
        List<Row> rows = run(guest.toAbsolutePath().normalize(), workload, seconds, rounds, all);
        System.out.println();
        System.out.printf(Locale.ROOT, "Measured on %d cores, %s, TCG -icount shift=auto, %s, windows of %d s, "
                + "%d round(s), %d s in all.%n", Runtime.getRuntime().availableProcessors(), qemuVersion(), workload,
                seconds, rounds, (System.nanoTime() - started) / 1_000_000_000L);
        System.out.println();
        System.out.println("| damage.probe.fps | round | relay CPU % | QEMU display CPU % | updates/s from QEMU "
                + "| KB/s from QEMU | damaged Mpx/s | switch back ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %d | %d | %.2f | %.2f | %.1f | %.0f | %.2f | %.1f |%n", r.fps(),
                    r.round(), r.relayCpuPercent(), r.qemuDisplayCpuPercent(), r.updatesPerSecond(),
                    r.kilobytesPerSecond(), r.damagedPixelsPerSecond() / 1e6, r.switchBackMillis());
        }
    }

    private static List<Row> run(Path guest, String workload, int seconds, int rounds, List<Integer> rates)
            throws Exception {
        Path tmp = Files.createTempDirectory(Path.of("/tmp"), "rdprobebench");
        List<String> cmd = List.of("qemu-system-x86_64", "-name", "probebench,debug-threads=on", "-nodefaults",
                "-machine", "pc", "-accel", "tcg", "-smp", "1", "-m", "256", "-icount", "shift=auto", "-rtc",
                "base=utc,clock=vm", "-kernel", guest.resolve("vmlinuz").toString(), "-initrd",
                guest.resolve("initrd.gz").toString(), "-append",
                "console=ttyS0 vga=0x312 quiet rd.wl=" + workload + " rd.fps=25", "-vga", "std", "-display", "none",
                "-vnc", "unix:" + tmp.resolve("vnc.sock"), "-chardev",
                "socket,id=serial0,path=" + tmp.resolve("serial.sock") + ",server=on,wait=off", "-serial",
                "chardev:serial0", "-net", "none");
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("qemu.log").toFile()).start();
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("probebench-loop", true));
        List<Row> rows = new ArrayList<>();
        try (GuestSerialLine serial = GuestSerialLine.connect(tmp.resolve("serial.sock"), Duration.ofSeconds(10),
                qemu)) {
            System.out.println("guest: " + serial.await("RD: ready", BOOT_TIMEOUT));
            long nanosPerTick = CpuClocks.nanosPerTick();
            DisplaySource vm = DisplaySource.unixSocket(tmp.resolve("vnc.sock"));
            for (int round = 1; round <= rounds; round++) {
                for (int fps : rates) {
                    rows.add(measure(tmp, vm, group, qemu.pid(), nanosPerTick, workload, fps, round, seconds));
                }
            }
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return rows;
    }

    private static Row measure(Path tmp, DisplaySource vm, EventLoopGroup group, long qemuPid, long nanosPerTick,
            String workload, int fps, int round, int seconds) throws Exception {
        Path fakeSocket = tmp.resolve("replayer-" + fps + "-" + round + "/vnc.sock");
        try (Relay relay = new Relay("probebench", vm, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(),
                group, r -> { }).withDamageProbe(fps)) {
            relay.start(Duration.ofSeconds(10));
            try (FakeVncServer replayer = new FakeVncServer(fakeSocket, relay.mirror().width(),
                    relay.mirror().height())) {
                relay.switchSource(DisplaySource.unixSocket(fakeSocket), Duration.ofSeconds(10));
                Thread.sleep(2000); // warm-up: the last full-rate updates drain, the JIT settles
                String vmReader = "vnc-upstream-" + tmp.getFileName();
                java.util.function.Predicate<String> relayThreads = name -> name.equals(vmReader)
                        || name.startsWith("vnc-damage-probe-") || name.startsWith("probebench-loop")
                        || name.startsWith("vnc-upstream-replayer");
                Map<Long, Long> cpu0 = CpuClocks.threadNanos(relayThreads);
                long q0 = CpuClocks.qemuDisplayNanos(qemuPid, nanosPerTick);
                long u0 = relay.input().updates();
                long b0 = relay.input().receivedBytes();
                long d0 = relay.interaction().totalDamagedPixels();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long relayNanos = CpuClocks.elapsed(cpu0, CpuClocks.threadNanos(relayThreads));
                long qemuNanos = CpuClocks.qemuDisplayNanos(qemuPid, nanosPerTick) - q0;
                InteractionStats stats = relay.interaction();
                long updates = relay.input().updates() - u0;
                long bytes = relay.input().receivedBytes() - b0;
                // Back to the VM before the fake goes away (else the relay falls back by itself): with the probe
                // on this shows the probed mirror at once, without it it waits for a full frame.
                org.replaydesk.display.vnc.SourceSwitch back = relay.switchSource(vm, Duration.ofSeconds(10));
                Row row = new Row(workload, fps, round, elapsed, relayNanos / elapsed / 1e7,
                        qemuNanos / elapsed / 1e7, updates / elapsed, bytes / elapsed / 1024,
                        (stats.totalDamagedPixels() - d0) / elapsed, back.total().toNanos() / 1e6);
                System.out.printf(Locale.ROOT, "fps %2d round %d: relay %.2f%%  QEMU display %.2f%%  %.1f updates/s"
                        + "  %.0f KB/s  %.2f Mpx/s damage  probing=%s  switch back %.1f ms%n", fps, round,
                        row.relayCpuPercent(), row.qemuDisplayCpuPercent(), row.updatesPerSecond(),
                        row.kilobytesPerSecond(), row.damagedPixelsPerSecond() / 1e6, stats.probing(),
                        row.switchBackMillis());
                return row;
            }
        }
    }

    private static String qemuVersion() throws IOException {
        Process p = new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("QEMU");
        return out.trim();
    }
}
