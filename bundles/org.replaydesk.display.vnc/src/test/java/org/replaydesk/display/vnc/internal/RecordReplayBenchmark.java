package org.replaydesk.display.vnc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.RemoteImage;
import org.replaydesk.pager.internal.ChunkServer;
import org.replaydesk.pager.internal.FileChunkCache;
import org.replaydesk.pager.internal.FileChunkStore;
import org.replaydesk.pager.internal.NettyImagePager;
import org.replaydesk.qmp.InputEvent;
import org.replaydesk.qmp.QmpClient;
import org.replaydesk.qmp.SavevmResult;
import org.replaydesk.recordlog.RecordLogSink;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;
import org.replaydesk.recordlog.internal.NettyRecordLogSubscriber;
import org.replaydesk.recordlog.internal.RecordLogServer;

/**
 * Issue 4's benchmark (the paper's Tables 1 and 3): per workload, on one recording QEMU in one run, display-mode
 * traffic (the relay with a Tight JPEG q6 and a Tight lossless viewer) next to replay-mode traffic (the live record
 * log through the record-log server and subscriber, zlib on), the snapshot stall, the chunk bytes of a first and a
 * repeat join, and the replay speed of the window from its snapshot, checked screen-identical. Prints a markdown
 * table and rewrites the section {@value ReplayBenchReport#HEADING} of docs/benchmarks.md and its chart.
 *
 * <p>A test-source program in this package so that it drives the package-private {@link Relay} and the benchmark
 * viewer exactly as the display benchmark does; {@code benchmarks/replay_bench.sh} builds and runs it. The method is
 * spelled out in {@link ReplayBenchReport#METHOD}.
 */
public final class RecordReplayBenchmark {

    private static final String USAGE = """
            usage: RecordReplayBenchmark --guest DIR [--seconds N] [--warmup N] [--workloads anim,video,type,idle]
                                         [--fps N] [--docs docs/benchmarks.md]
              --guest DIR      demo guest folder (vmlinuz, initrd.gz, video.raw), built by native-hooks
              --seconds N      steady-state window per workload (default 10)
              --warmup N       seconds after a workload switch before its snapshot (default 4)
              --workloads L    guest workloads (default anim,video,type,idle)
              --fps N          anim and video frame rate (default 25)
              --docs FILE      rewrite the section "%s" of FILE and write its chart next to it
            """.formatted(ReplayBenchReport.HEADING);

    private static final String QEMU = "qemu-system-x86_64";
    private static final VmName VM = VmName.of("bench");
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(20);
    /** As the QEMU driver: savevm is refused while record/replay events are queued; retry this long. */
    private static final Duration SAVEVM_RETRY = Duration.ofSeconds(60);
    private static final int CHUNK_SIZE = 64 << 10;
    private static final int READ_AHEAD = 16;
    private static final int READ = 128 << 10;
    /** Keys the {@code type} workload gets: about 5 per second, as a person typing steadily. */
    private static final long KEY_INTERVAL_MS = 200;

    private final Path guest;
    private final int seconds;
    private final int warmup;
    private final List<String> workloads;
    private final int fps;
    private final Path docs;

    private Path tmp;
    private Process recorder;
    private GuestSerialLine serial;
    private QmpClient qmp;
    private EventLoopGroup group;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    /** What the run keeps per workload until the replays at the end. */
    private record Window(String workload, double seconds, double q6Bps, double q6Ups, double losslessBps,
            double losslessUps, double logBps, double wireBps, long startNanos, long endNanos, double keysPerSecond,
            SavevmResult savevm, SavevmResult laterSavevm, String tag, Path snapshotCopy, long firstJoin, long repeatJoin, long icountEnd,
            double recordSeconds, Path recorderScreen) {
    }

    private RecordReplayBenchmark(Path guest, int seconds, int warmup, List<String> workloads, int fps, Path docs) {
        this.guest = guest;
        this.seconds = seconds;
        this.warmup = warmup;
        this.workloads = workloads;
        this.fps = fps;
        this.docs = docs;
    }

    public static void main(String[] args) throws Exception {
        // The relay logs every viewer at info (the test resources set its package to debug; the most specific
        // logger name wins).
        System.setProperty("org.slf4j.simpleLogger.log.org.replaydesk", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.replaydesk.display.vnc", "warn");
        Path guest = null;
        Path docs = null;
        int seconds = 10;
        int warmup = 4;
        int fps = 25;
        List<String> workloads = List.of("anim", "video", "type", "idle");
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--guest" -> guest = Path.of(required(args[i], value));
                    case "--docs" -> docs = Path.of(required(args[i], value));
                    case "--seconds" -> seconds = positive(args[i], value);
                    case "--warmup" -> warmup = positive(args[i], value);
                    case "--fps" -> fps = positive(args[i], value);
                    case "--workloads" -> workloads = List.of(required(args[i], value).split(","));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (guest == null) {
                throw new IllegalArgumentException("--guest DIR is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        RecordReplayBenchmark bench = new RecordReplayBenchmark(guest, seconds, warmup, workloads, fps, docs);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopRecorder, "bench-cleanup"));
        int status = 0;
        try {
            bench.run();
        } catch (IOException | IllegalStateException | ReplayDeskException e) {
            System.err.println("record/replay benchmark failed: " + e.getMessage());
            status = 1;
        } finally {
            bench.close();
        }
        System.exit(status);
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(required(option, value));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, not " + value);
    }

    private void run() throws Exception {
        long began = System.nanoTime();
        for (String file : List.of("vmlinuz", "initrd.gz", "video.raw")) {
            if (!Files.isRegularFile(guest.resolve(file))) {
                throw new IOException("demo guest file " + guest.toAbsolutePath().resolve(file) + " is missing: build "
                        + "it with `mvn -pl native-hooks package -DskipTests` or pass --guest DIR");
            }
        }
        // Unix socket paths are limited to 107 bytes: keep them directly under /tmp.
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdrr");
        group = new NioEventLoopGroup(2, new DefaultThreadFactory("vnc-display", true));
        startRecorder();

        // Replay mode's two servers, as the bundles run them: the record-log streamer and the chunk server.
        RecordLogServer logServer = new RecordLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "",
                null, Duration.ofMillis(5), Duration.ofMillis(100), group).start();
        closeLast.add(logServer);
        logServer.publish(VM, log(), () -> OptionalLong.of(qmp.queryReplay().icount()));
        NettyRecordLogSubscriber subscriber = new NettyRecordLogSubscriber(group, false);
        closeLast.add(subscriber);
        StreamedLog streamed = new StreamedLog(tmp.resolve("streamed.log"));
        Subscription subscription = subscriber.subscribe(logServer.address(), VM, 0, streamed,
                SubscriptionOptions.defaults());
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), CHUNK_SIZE);
        ChunkServer chunkServer = new ChunkServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                "", null, group);
        closeLast.add(chunkServer::close);

        // Display mode: the relay on QEMU's VNC socket with two viewers connected all run long.
        Relay relay = new Relay("bench", org.replaydesk.display.vnc.DisplaySource.unixSocket(tmp.resolve("vnc.sock")),
                new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), group, r -> { });
        relay.start(CONNECT_TIMEOUT);
        closeLast.add(relay::close);
        BenchViewer q6 = new BenchViewer(relay.address(), BenchEncoding.TIGHT_JPEG6.setEncodings());
        BenchViewer lossless = new BenchViewer(relay.address(), BenchEncoding.TIGHT.setEncodings());
        closeLast.add(q6);
        closeLast.add(lossless);
        q6.start(CONNECT_TIMEOUT);
        lossless.start(CONNECT_TIMEOUT);

        List<Window> windows = new ArrayList<>();
        String previousTag = null;
        for (int i = 0; i < workloads.size(); i++) {
            String workload = workloads.get(i);
            if (i > 0) {
                serial.switchTo(workload, SWITCH_TIMEOUT);
            }
            System.out.printf("== %s%n", workload);
            Thread.sleep(warmup * 1000L);
            String tag = "bench-" + workload;
            SavevmResult savevm = qmp.savevm(tag, SAVEVM_RETRY);
            long snapshotDone = System.nanoTime();
            if (previousTag != null) {
                // So the copy holds this snapshot alone, as a client joining now would fetch it.
                deleteSnapshot(previousTag);
            }
            previousTag = tag;
            Path copy = tmp.resolve("snap-" + workload + ".qcow2");
            // A plain copy keeps internal snapshots (qemu-img convert would drop them; REPORT-2.md).
            Files.copy(disk(), copy, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf(Locale.ROOT, "%-5s savevm %s: stall %.3f s, %d attempt(s), qcow2 %.1f MB%n", workload,
                    tag, savevm.stall().toNanos() / 1e9, savevm.attempts(), Files.size(copy) / 1e6);

            KeyTyper typer = workload.equals("type") ? new KeyTyper(qmp) : null;
            Thread.sleep(1000); // the copy's disk reads are not the steady state
            long q6Bytes0 = q6.receivedBytes();
            long q6Updates0 = q6.updates();
            long llBytes0 = lossless.receivedBytes();
            long llUpdates0 = lossless.updates();
            long log0 = Files.size(log());
            long wire0 = subscription.wireBytesReceived();
            long keys0 = typer == null ? 0 : typer.sent();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long t1 = System.nanoTime();
            long q6Bytes = q6.receivedBytes() - q6Bytes0;
            long q6Updates = q6.updates() - q6Updates0;
            long llBytes = lossless.receivedBytes() - llBytes0;
            long llUpdates = lossless.updates() - llUpdates0;
            long logBytes = Files.size(log()) - log0;
            long wireBytes = subscription.wireBytesReceived() - wire0;
            long keys = typer == null ? 0 : typer.sent() - keys0;
            if (typer != null) {
                typer.stop();
            }
            // The reference screen: the recorder paused at a known icount (the replayer stops there too).
            qmp.stop();
            long stopped = System.nanoTime();
            Path screen = tmp.resolve("recorder-" + workload + ".ppm");
            qmp.screendump(screen, "ppm");
            long icountEnd = qmp.queryReplay().icount();
            qmp.cont();
            for (BenchViewer v : List.of(q6, lossless)) {
                if (v.failure() != null) {
                    throw new IOException("the relay dropped a benchmark viewer: " + v.failure(), v.failure());
                }
            }
            if (subscription.isDone()) {
                throw new IOException("the record-log subscription ended during the " + workload + " window");
            }
            double s = (t1 - t0) / 1e9;

            // A newer snapshot of the same VM in the same workload, for the repeat join: a client that joined
            // from the first one comes back (or catches up) and fetches only the chunks that changed.
            String laterTag = tag + "-later";
            SavevmResult later = qmp.savevm(laterTag, SAVEVM_RETRY);
            deleteSnapshot(tag);
            previousTag = laterTag;
            Path laterCopy = tmp.resolve("snap-" + workload + "-later.qcow2");
            Files.copy(disk(), laterCopy, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf(Locale.ROOT, "%-5s savevm %s: stall %.3f s, %d attempt(s), qcow2 %.1f MB%n", workload,
                    laterTag, later.stall().toNanos() / 1e9, later.attempts(), Files.size(laterCopy) / 1e6);

            String imageId = "snap-" + workload;
            store.importImage(imageId, copy, ImportProgress.NONE);
            store.importImage(imageId + "-later", laterCopy, ImportProgress.NONE);
            Files.delete(laterCopy);
            Path cacheDir = tmp.resolve("cache-" + workload);
            NettyImagePager pager = new NettyImagePager(new FileChunkCache(cacheDir, 16L << 30), group, "", null,
                    READ_AHEAD, Duration.ofSeconds(60));
            long first = join(pager, chunkServer.address(), imageId);
            long repeat = join(pager, chunkServer.address(), imageId + "-later");
            deleteTree(cacheDir);
            Window w = new Window(workload, s, q6Bytes / s, q6Updates / s, llBytes / s, llUpdates / s, logBytes / s,
                    wireBytes / s, t0, t1, keys / s, savevm, later, tag, copy, first,
                    repeat, icountEnd, (stopped - snapshotDone) / 1e9, screen);
            windows.add(w);
            System.out.printf(Locale.ROOT, "%-5s display q6 %.1f KB/s (%.1f upd/s), lossless %.1f KB/s (%.1f upd/s);"
                    + " log %.2f KB/s, wire %.2f KB/s; first join %.1f MB, repeat %.1f MB%n", workload,
                    w.q6Bps() / 1e3, w.q6Ups(), w.losslessBps() / 1e3, w.losslessUps(), w.logBps() / 1e3,
                    w.wireBps() / 1e3, first / 1e6, repeat / 1e6);
        }

        // The guest reports its frame count every 5 s of its time: let the line after the last window arrive.
        Thread.sleep(6000);
        q6.close();
        lossless.close();
        relay.close();
        // Quit the recorder: QEMU writes the log's header and the streamer sends END with it, so the streamed copy
        // is a complete log that the replays read (a client's FUSE helper serves the same bytes).
        qmp.quit();
        if (!recorder.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("the recorder did not exit within 30 s of quit");
        }
        logServer.recorderStopped(VM);
        streamed.awaitEnd(Duration.ofSeconds(30));
        if (!Arrays.equals(Files.readAllBytes(log()), Files.readAllBytes(streamed.path))) {
            throw new IOException("the streamed log differs from the recorder's log");
        }

        List<ReplayBenchReport.Row> rows = new ArrayList<>();
        for (Window w : windows) {
            rows.add(replay(w, streamed.path));
        }
        String header = header((System.nanoTime() - began) / 1e9);
        String section = ReplayBenchReport.section(header, rows);
        System.out.println();
        System.out.println(section);
        if (docs != null) {
            String doc = Files.exists(docs) ? Files.readString(docs) : "# ReplayDesk benchmarks\n";
            Files.writeString(docs, ReplayBenchReport.replaceSection(doc, section));
            Path chart = docs.toAbsolutePath().getParent().resolve(ReplayBenchReport.CHART);
            Files.writeString(chart, ReplayBenchReport.svg(rows));
            System.out.println("wrote the section \"" + ReplayBenchReport.HEADING + "\" of " + docs + " and " + chart);
        }
    }

    private Path log() {
        return tmp.resolve("record.log");
    }

    private Path disk() {
        return tmp.resolve("disk.qcow2");
    }

    private List<String> commonArgs(String icount, Path diskFile) {
        // The QEMU driver's command line (QemuCommandLine) for a kernel-booted demo guest under record/replay.
        return new ArrayList<>(List.of(QEMU, "-nodefaults", "-no-user-config", "-machine", "pc", "-accel", "tcg",
                "-smp", "1", "-m", "256", "-icount", icount, "-rtc", "base=utc,clock=vm",
                "-kernel", guest.toAbsolutePath().resolve("vmlinuz").toString(),
                "-initrd", guest.toAbsolutePath().resolve("initrd.gz").toString(),
                "-append", "console=ttyS0 vga=0x312 quiet rd.wl=" + workloads.get(0) + " rd.fps=" + fps
                        + " rd.stats=1",
                "-drive", "file=" + diskFile + ",format=qcow2,if=none,id=disk0-direct",
                "-drive", "driver=blkreplay,if=none,image=disk0-direct,id=disk0",
                "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none", "-net", "none"));
    }

    private void startRecorder() throws IOException, InterruptedException {
        // The driver's disk for the demo guest: an overlay on video.raw (the frames `video` reads).
        Path base = guest.toAbsolutePath().resolve("video.raw");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "raw",
                disk().toString()));
        List<String> cmd = commonArgs("shift=auto,rr=record,rrfile=" + log(), disk());
        cmd.addAll(List.of("-vnc", "unix:" + tmp.resolve("vnc.sock"),
                "-chardev", "socket,id=serial0,path=" + tmp.resolve("serial.sock") + ",server=on,wait=off",
                "-serial", "chardev:serial0", "-qmp", "unix:" + tmp.resolve("qmp.sock") + ",server=on,wait=off"));
        try {
            recorder = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("recorder.out").toFile()).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + QEMU + " (install qemu-system-x86 and qemu-utils; "
                    + "scripts/packages.sh does it): " + e.getMessage(), e);
        }
        System.out.printf("recorder pid %d: %s%n", recorder.pid(), String.join(" ", cmd));
        serial = GuestSerialLine.connect(tmp.resolve("serial.sock"), CONNECT_TIMEOUT, recorder);
        qmp = QmpClient.connect(tmp.resolve("qmp.sock"), CONNECT_TIMEOUT);
        if (!qmp.queryReplay().isRecording()) {
            throw new IOException("QEMU is not recording: " + qmp.queryReplay());
        }
        try {
            System.out.println("guest: " + serial.await("RD: ready", BOOT_TIMEOUT));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; QEMU output: " + readQuietly(tmp.resolve("recorder.out")), e);
        }
    }

    private void deleteSnapshot(String tag) throws InterruptedException {
        long deadline = System.nanoTime() + SAVEVM_RETRY.toNanos();
        while (true) {
            try {
                qmp.delvm(tag);
                return;
            } catch (RuntimeException e) {
                // The same refusal as savevm while replay events are queued (QemuVirtualMachine retries alike).
                if (!String.valueOf(e.getMessage()).contains("Record/replay") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(3);
            }
        }
    }

    /** @return chunk bytes on the wire (compressed) fetched reading the image whole, as loadvm nearly does */
    private static long join(NettyImagePager pager, InetSocketAddress server, String imageId) {
        try (RemoteImage image = pager.open(server, imageId)) {
            byte[] buffer = new byte[READ];
            long size = image.manifest().imageSize();
            for (long at = 0; at < size; at += READ) {
                image.read(at, buffer, 0, (int) Math.min(READ, size - at));
            }
            return image.wireBytesFetched();
        }
    }

    /** Replays one window from its snapshot to the recorder's icount at the window's end, alone on the machine. */
    private ReplayBenchReport.Row replay(Window w, Path streamedLog) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve("replay-" + w.workload()));
        Path disk = dir.resolve("disk.qcow2");
        Files.copy(w.snapshotCopy(), disk, StandardCopyOption.REPLACE_EXISTING);
        List<String> cmd = commonArgs("shift=auto,rr=replay,rrfile=" + streamedLog + ",rrsnapshot=" + w.tag(), disk);
        cmd.addAll(List.of("-chardev", "socket,id=serial0,path=" + dir.resolve("serial.sock") + ",server=on,wait=off",
                "-serial", "chardev:serial0", "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-action", "shutdown=pause"));
        double replaySeconds = Double.NaN;
        boolean identical = false;
        String note = "";
        long t0 = System.nanoTime();
        Process replayer = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("replayer.out").toFile()).start();
        try (QmpClient r = QmpClient.connect(dir.resolve("qmp.sock"), CONNECT_TIMEOUT)) {
            long at = r.queryReplay().icount();
            if (at >= w.icountEnd()) {
                throw new IOException("the replayer is already at icount " + at + ", past the break " + w.icountEnd());
            }
            r.replayBreak(w.icountEnd());
            long deadline = t0 + Duration.ofSeconds(60).toNanos() + (long) (w.recordSeconds() * 5e9);
            while (r.queryStatus().running() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long t1 = System.nanoTime();
            long icount = r.queryReplay().icount();
            if (r.queryStatus().running()) {
                note = "replay did not reach the break in time (icount " + icount + " of " + w.icountEnd() + ")";
            } else if (icount != w.icountEnd()) {
                note = "replay stopped at icount " + icount + ", not at the break " + w.icountEnd() + " ("
                        + r.queryStatus().status() + ")";
            } else {
                replaySeconds = (t1 - t0) / 1e9;
                Path screen = dir.resolve("replayer.ppm");
                r.screendump(screen, "ppm");
                identical = Arrays.equals(Files.readAllBytes(screen), Files.readAllBytes(w.recorderScreen()));
                if (!identical) {
                    note = "the replayer's screen at the break differs from the recorder's: the replay does not count";
                }
            }
        } catch (RuntimeException | IOException e) {
            note = "replay failed: " + e.getMessage() + "; QEMU: " + readQuietly(dir.resolve("replayer.out"));
        } finally {
            replayer.destroyForcibly();
            replayer.waitFor(10, TimeUnit.SECONDS);
        }
        System.out.printf(Locale.ROOT, "%-5s replay %.2f s for %.2f s recorded, identical %s %s%n", w.workload(),
                replaySeconds, w.recordSeconds(), identical, note);
        return new ReplayBenchReport.Row(w.workload(), w.seconds(), w.q6Bps(), w.q6Ups(), w.losslessBps(),
                w.losslessUps(), w.logBps(), w.wireBps(),
                serial.framesPerSecond(w.startNanos(), w.endNanos(), w.workload()), w.keysPerSecond(),
                w.savevm().stall().toNanos() / 1e9, w.savevm().attempts(), w.laterSavevm().stall().toNanos() / 1e9,
                w.laterSavevm().attempts(), Files.size(w.snapshotCopy()), w.firstJoin(),
                w.repeatJoin(), w.recordSeconds(), identical ? replaySeconds : Double.NaN, identical, note);
    }

    private String header(double runSeconds) throws IOException {
        String qemuVersion = firstLine(new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start()
                .getInputStream().readAllBytes());
        String args = "--seconds " + seconds + " --warmup " + warmup + " --workloads " + String.join(",", workloads)
                + (fps != 25 ? " --fps " + fps : "");
        return String.format(Locale.ROOT, """
                Measured %s UTC on this machine (%d cores, shared), %s, TCG `-icount shift=auto,rr=record`, 256 MiB, \
                640x480, anim/video at rd.fps=%d, `type` with a key every %d ms over QMP; one recording VM, windows \
                of %d s after %d s of warm-up per workload; the whole run took %.0f s.
                Reproduce: `benchmarks/replay_bench.sh %s`.""",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                Runtime.getRuntime().availableProcessors(), qemuVersion, fps, KEY_INTERVAL_MS, seconds, warmup,
                runSeconds, args);
    }

    private static String firstLine(byte[] output) {
        String s = new String(output, StandardCharsets.UTF_8).strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd.get(0) + " (install qemu-utils): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static String readQuietly(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(none)";
        }
    }

    private synchronized void stopRecorder() {
        if (recorder != null && recorder.isAlive()) {
            recorder.destroyForcibly();
            try {
                recorder.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void close() {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            try {
                closeLast.get(i).close();
            } catch (Exception e) {
                // going away anyway
            }
        }
        try {
            if (qmp != null) {
                qmp.close();
            }
            if (serial != null) {
                serial.close();
            }
        } catch (Exception e) {
            // QEMU goes next anyway
        }
        stopRecorder();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (tmp != null) {
            try {
                deleteTree(tmp);
            } catch (IOException e) {
                System.err.println("could not remove " + tmp + ": " + e);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The client side's copy of the live log: each frame written at its offset, the header at END. */
    private static final class StreamedLog implements RecordLogSink {
        final Path path;
        private final RandomAccessFile file;
        private final CompletableFuture<Long> end = new CompletableFuture<>();

        StreamedLog(Path path) throws IOException {
            this.path = path;
            this.file = new RandomAccessFile(path.toFile(), "rw");
        }

        @Override
        public synchronized void onData(long offset, byte[] bytes) {
            try {
                file.seek(offset);
                file.write(bytes);
            } catch (IOException e) {
                end.completeExceptionally(e);
            }
        }

        @Override
        public synchronized void onEnd(long finalSize, byte[] header) {
            try {
                file.seek(0);
                file.write(header);
                file.setLength(finalSize);
                file.close();
                end.complete(finalSize);
            } catch (IOException e) {
                end.completeExceptionally(e);
            }
        }

        @Override
        public void onError(ReplayDeskException error) {
            end.completeExceptionally(error);
        }

        void awaitEnd(Duration timeout) throws IOException, InterruptedException {
            try {
                end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("the record-log stream failed: " + e.getCause(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("the record-log stream sent no END within " + timeout);
            }
        }
    }

    /** Sends a key (press and release) every {@value #KEY_INTERVAL_MS} ms over QMP to the {@code type} workload. */
    private static final class KeyTyper {
        private static final String[] KEYS = {"h", "e", "l", "l", "o", "spc", "w", "o", "r", "l", "d", "ret"};
        private final AtomicLong sent = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopping;

        KeyTyper(QmpClient qmp) {
            thread = new Thread(() -> {
                int i = 0;
                while (!stopping) {
                    String key = KEYS[i++ % KEYS.length];
                    qmp.inputSendEvents(List.of(InputEvent.key(key, true), InputEvent.key(key, false)));
                    sent.incrementAndGet();
                    try {
                        Thread.sleep(KEY_INTERVAL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-keys");
            thread.setDaemon(true);
            thread.start();
        }

        long sent() {
            return sent.get();
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(2000);
        }
    }
}
