package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.SnapshotResult;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.qmp.InputEvent;
import org.replaydesk.qmp.QmpClient;
import org.replaydesk.qmp.QmpException;
import org.replaydesk.qmp.SavevmResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QEMU process and everything attached to it: two QMP connections (commands, and a second one
 * for monitoring so a long command never blocks a status poll), the guest's serial control line
 * and the process supervisor. Life-cycle operations are serialized by one lock; state is read
 * without it.
 */
final class QemuVirtualMachine implements VirtualMachine {
    private static final Logger LOG = LoggerFactory.getLogger(QemuVirtualMachine.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SAVEVM_RETRY = Duration.ofSeconds(60);
    private static final Duration WORKLOAD_SWITCH_TIMEOUT = Duration.ofSeconds(20);
    private static final long KEY_INTERVAL_MS = 20;
    private static final int STDERR_TAIL_LINES = 8;
    /** Tells librrpace which mapped file to madvise(MADV_RANDOM). */
    static final String RANDOM_ACCESS_FILE = "RD_RANDOM_ACCESS_FILE";
    static final String NET_COUNTERS_FILE = "RD_NET_COUNTERS_FILE";
    /** sun_path in struct sockaddr_un holds 108 bytes including the terminating NUL. */
    private static final int UNIX_PATH_MAX = 108;

    private final QemuHypervisor owner;
    private final VmSpec spec;
    private final VmPaths paths;
    private final ReentrantLock lifecycle = new ReentrantLock();
    /**
     * Held across pause, resume and snapshot: each is a sequence of QMP commands (a snapshot is stop, savevm, copy,
     * cont), and a pause that landed inside a snapshot was undone by its cont, so the pauser's instruction count no
     * longer named what the guest showed (found by a soak of live replays against periodic snapshots).
     */
    private final ReentrantLock runControl = new ReentrantLock();

    private volatile VmState state = VmState.STOPPED;
    private volatile String failureReason;
    private volatile Instant startedAt;
    private volatile Process process;
    private volatile QmpClient qmp;
    private volatile QmpClient monitor;
    private volatile SerialConsole serial;
    private volatile int vncPort;
    private volatile boolean stopRequested;
    private volatile String reportedWorkload;
    /** The recorder's RAM file while its process runs (null: RAM is anonymous and inside the vmstate). */
    private volatile Path liveMemory;

    QemuVirtualMachine(QemuHypervisor owner, VmSpec spec, VmPaths paths) {
        this.owner = owner;
        this.spec = spec;
        this.paths = paths;
    }

    @Override
    public VmName name() {
        return spec.name();
    }

    @Override
    public VmSpec spec() {
        return spec;
    }

    @Override
    public VmState state() {
        return state;
    }

    VmPaths paths() {
        return paths;
    }

    @Override
    public Path recordLog() {
        return spec.replaySource().map(s -> s.logFile()).orElse(paths.recordLog());
    }

    @Override
    public Path diskImage() {
        return spec.replaySource().map(s -> s.diskImage()).orElse(paths.disk());
    }

    @Override
    public Path vncSocket() {
        return paths.vncSocket();
    }

    @Override
    public VmStatus status() {
        VmState current = state;
        OptionalLong icount = OptionalLong.empty();
        QmpClient mon = monitor;
        if (mon != null && current.hasProcess() && spec.mode() != RecordReplayMode.NONE) {
            try {
                icount = OptionalLong.of(mon.queryReplay().icount());
            } catch (QmpException e) {
                LOG.debug("VM {}: query-replay failed: {}", name(), e.getMessage());
            }
        }
        long logBytes = 0;
        if (spec.mode() == RecordReplayMode.RECORD) {
            try {
                logBytes = Files.exists(paths.recordLog()) ? Files.size(paths.recordLog()) : 0;
            } catch (IOException e) {
                logBytes = 0;
            }
        }
        Instant started = startedAt;
        Duration uptime = started != null && current.hasProcess() ? Duration.between(started, Instant.now()) : Duration.ZERO;
        String workload = reportedWorkload != null ? reportedWorkload : spec.workload();
        Optional<String> vnc = vncPort > 0 && current.hasProcess() ? Optional.of("127.0.0.1:" + vncPort) : Optional.empty();
        return new VmStatus(name(), current, spec.mode(), icount, logBytes, uptime, workload,
                current == VmState.FAILED ? Optional.ofNullable(failureReason) : Optional.empty(), vnc);
    }

    @Override
    public void start() {
        lifecycle.lock();
        try {
            if (state.hasProcess()) {
                throw ReplayDeskException.conflict("VM '" + name() + "' is already running (state " + state + ")");
            }
            QemuHypervisor.BootFiles boot = owner.bootFiles(spec);
            Path disk = diskImage();
            if (!Files.isRegularFile(disk)) {
                throw ReplayDeskException.unavailable("Disk image " + disk + " of VM '" + name() + "' is missing");
            }
            if (spec.mode() == RecordReplayMode.REPLAY && !Files.exists(recordLog())) {
                throw ReplayDeskException.unavailable("Record log " + recordLog() + " to replay in VM '" + name() + "' is missing");
            }
            String qemu = owner.resolveQemu();
            if (paths.monitorSocket().toString().getBytes(StandardCharsets.UTF_8).length >= UNIX_PATH_MAX) {
                throw ReplayDeskException.unavailable("Socket path " + paths.monitorSocket() + " is longer than the "
                        + (UNIX_PATH_MAX - 1) + " bytes a unix socket allows: set socket.dir in " + QemuHypervisor.PID
                        + ".cfg to a short folder");
            }
            Files.createDirectories(paths.socketDir());
            for (Path socket : List.of(paths.qmpSocket(), paths.monitorSocket(), paths.vncSocket(), paths.serialSocket())) {
                Files.deleteIfExists(socket);
            }
            Files.deleteIfExists(paths.pidFile());
            Path recorderMemory = recorderMemoryFile();
            if (recorderMemory != null) {
                Files.createDirectories(recorderMemory.getParent());
                Files.deleteIfExists(recorderMemory);
            }
            Optional<Path> replayMemory = QemuCommandLine.replayMemory(spec);
            if (replayMemory.isPresent() && !Files.isReadable(replayMemory.get())) {
                throw ReplayDeskException.unavailable("Memory image " + replayMemory.get() + " of snapshot "
                        + spec.replaySource().flatMap(ReplaySource::snapshot).map(Object::toString).orElse("?")
                        + " to replay in VM '" + name() + "' is missing");
            }
            int port = owner.allocateVncPort(this);
            List<String> cmd = QemuCommandLine.build(qemu, spec, paths, boot.kernel(), boot.initrd(), disk, port,
                    owner.netServerPort(), recorderMemory);
            Files.writeString(paths.commandLineFile(), String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
            Files.writeString(paths.serialLog(), "", StandardCharsets.UTF_8);
            stopRequested = false;
            failureReason = null;
            reportedWorkload = null;
            vncPort = port;
            transition(VmState.STARTING, "start requested");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(false)
                    .redirectError(paths.stderrLog().toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(owner.recordLogFlusher().environment(spec.mode(),
                    QemuCommandLine.recordFile(paths), pb.environment().get(RecordLogFlusher.PRELOAD)));
            // rrpace turns the kernel's fault read-around off for the mapped snapshot memory (native-hooks/rrpace):
            // with it on, a replay pulled in nearly all of the snapshot's memory through rdfuse, touched or not.
            replayMemory.ifPresent(m -> pb.environment().put(RANDOM_ACCESS_FILE, m.toString()));
            Files.deleteIfExists(paths.netCounters());
            if (spec.mode() == RecordReplayMode.RECORD && spec.network()) {
                // librrflush (preloaded into recorders) counts the bytes libslirp moves through its host sockets.
                pb.environment().put(NET_COUNTERS_FILE, paths.netCounters().toString());
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                fail("Cannot launch " + qemu + ": " + e.getMessage());
                throw new ReplayDeskException(Status.UNAVAILABLE, failureReason, e);
            }
            process = p;
            liveMemory = recorderMemory;
            startedAt = Instant.now();
            LOG.info("VM {}: started QEMU pid {} ({} mode)", name(), p.pid(), spec.mode());
            p.onExit().thenAccept(this::processExited);
            try {
                qmp = connectQmp(p, paths.qmpSocket());
                monitor = connectQmp(p, paths.monitorSocket());
                try {
                    serial = SerialConsole.connect(paths.serialSocket(), name().value(), Duration.ofSeconds(5));
                } catch (IOException e) {
                    LOG.warn("VM {}: no serial control line: {}", name(), e.getMessage());
                }
                if (recorderMemory != null) {
                    qmp.setMigrationCapability(QemuCommandLine.IGNORE_SHARED, true);
                }
                if (replayMemory.isPresent()) {
                    // QEMU 7.2 cannot set a migration capability before rrsnapshot= loads the snapshot at start-up,
                    // so this replayer started paused (-S) and loads it here, then runs.
                    String tag = spec.replaySource().flatMap(ReplaySource::snapshot).orElseThrow().value();
                    qmp.setMigrationCapability(QemuCommandLine.IGNORE_SHARED, true);
                    qmp.loadvm(tag);
                    qmp.cont();
                    LOG.info("VM {}: loaded snapshot {} with its RAM mapped from {}", name(), tag, replayMemory.get());
                }
                String status = qmp.queryStatus().status();
                transition("running".equals(status) ? VmState.RUNNING : VmState.PAUSED, "QEMU is up (" + status + ")");
            } catch (RuntimeException e) {
                String reason = waitForExitReason(p, e);
                killProcess(p);
                fail(reason);
                throw new ReplayDeskException(Status.FAILED, "VM '" + name() + "' failed to start: " + reason, e);
            }
        } catch (IOException e) {
            throw ReplayDeskException.failed("Cannot prepare VM '" + name() + "': " + e.getMessage(), e);
        } finally {
            lifecycle.unlock();
        }
    }

    private QmpClient connectQmp(Process p, Path socket) {
        long deadline = System.nanoTime() + owner.settings().startTimeout().toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new QmpException("QEMU exited before its monitor came up");
            }
            try {
                return QmpClient.connect(socket, Duration.ofMillis(500));
            } catch (QmpException e) {
                if (System.nanoTime() > deadline) {
                    throw new QmpException("QEMU monitor " + socket + " did not come up within "
                            + owner.settings().startTimeout().toSeconds() + " s: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The reason a start failed: QEMU's own words if it exited, else the connection error. */
    private String waitForExitReason(Process p, RuntimeException e) {
        try {
            if (p.waitFor(2, TimeUnit.SECONDS)) {
                return exitReason(p.exitValue());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return e.getMessage();
    }

    @Override
    public void stop(Duration timeout) {
        lifecycle.lock();
        try {
            Process p = process;
            if (p == null || !state.hasProcess()) {
                return;
            }
            stopRequested = true;
            transition(VmState.STOPPING, "stop requested");
            // The monitoring connection is closed by us before QEMU quits: otherwise it sees QEMU go away unasked and
            // logs a normal stop as "QEMU exited or crashed" (WARN). status() does without it.
            QmpClient mon = monitor;
            monitor = null;
            if (mon != null) {
                try {
                    mon.close();
                } catch (Exception e) {
                    LOG.debug("VM {}: close monitor: {}", name(), e.getMessage());
                }
            }
            QmpClient client = qmp;
            if (client != null) {
                try {
                    client.quit();
                } catch (QmpException e) {
                    LOG.debug("VM {}: quit: {}", name(), e.getMessage());
                }
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("VM {}: QEMU did not quit within {} ms, killing it", name(), timeout.toMillis());
                    killProcess(p);
                }
                p.onExit().get(10, TimeUnit.SECONDS);
                awaitState(VmState.STOPPED, Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killProcess(p);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                killProcess(p);
            }
        } finally {
            lifecycle.unlock();
        }
    }

    private void awaitState(VmState wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (state != wanted && state != VmState.FAILED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private static void killProcess(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called once per process, on a JDK thread, whenever QEMU ends: asked to or not. */
    private void processExited(Process p) {
        closeConnections();
        Path memory = liveMemory;
        liveMemory = null;
        if (memory != null) {
            try {
                Files.deleteIfExists(memory);
            } catch (IOException e) {
                LOG.warn("VM {}: cannot delete its RAM file {}: {}", name(), memory, e.getMessage());
            }
        }
        owner.releaseVncPort(this);
        int code = p.exitValue();
        if (stopRequested) {
            LOG.info("VM {}: QEMU exited ({})", name(), code);
            transition(VmState.STOPPED, "stopped");
        } else {
            String reason = exitReason(code);
            LOG.warn("VM {}: {}", name(), reason);
            fail(reason);
        }
    }

    private String exitReason(int code) {
        String how = code > 128 && code < 160 ? "was killed by signal " + (code - 128) : "exited with code " + code;
        String tail = stderrTail();
        return "QEMU " + how + (tail.isEmpty() ? "" : ": " + tail);
    }

    private String stderrTail() {
        try {
            List<String> lines = Files.readAllLines(paths.stderrLog(), StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (String line : lines) {
                if (!line.isBlank()) {
                    kept.add(line.strip());
                }
            }
            return String.join(" | ", kept.subList(Math.max(0, kept.size() - STDERR_TAIL_LINES), kept.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private void closeConnections() {
        for (AutoCloseable c : new AutoCloseable[] {qmp, monitor, serial}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("VM {}: close: {}", name(), e.getMessage());
                }
            }
        }
        qmp = null;
        monitor = null;
        serial = null;
    }

    private void fail(String reason) {
        failureReason = reason;
        transition(VmState.FAILED, reason);
    }

    private void transition(VmState next, String reason) {
        VmState previous;
        synchronized (this) {
            previous = state;
            if (previous == next) {
                return;
            }
            state = next;
            notifyAll();
        }
        owner.fire(name(), previous, next, reason);
    }

    private QmpClient requireQmp() {
        QmpClient client = qmp;
        if (client == null || !state.hasProcess() || state == VmState.STOPPING) {
            throw ReplayDeskException.conflict("VM '" + name() + "' is not running (state " + state + ")");
        }
        return client;
    }

    private <T> T qmpCall(String what, java.util.function.Function<QmpClient, T> call) {
        QmpClient client = requireQmp();
        try {
            return call.apply(client);
        } catch (QmpException e) {
            throw ReplayDeskException.failed("VM '" + name() + "': " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long pause() {
        runControl.lock();
        try {
            return qmpCall("pause", client -> {
                client.stop();
                transition(VmState.PAUSED, "paused");
                return spec.mode() == RecordReplayMode.NONE ? -1L : client.queryReplay().icount();
            });
        } finally {
            runControl.unlock();
        }
    }

    @Override
    public void resume() {
        runControl.lock();
        try {
            qmpCall("resume", client -> {
                client.cont();
                transition(VmState.RUNNING, "resumed");
                return null;
            });
        } finally {
            runControl.unlock();
        }
    }

    @Override
    public void runUntil(long icount, Duration timeout) {
        if (spec.mode() != RecordReplayMode.REPLAY) {
            throw ReplayDeskException.conflict("VM '" + name() + "' is not a replayer; only a replay can run to an instruction count");
        }
        qmpCall("replay-break", client -> {
            long now = client.queryReplay().icount();
            if (now > icount) {
                throw ReplayDeskException.conflict("VM '" + name() + "' is already at icount " + now + ", past " + icount);
            }
            if (now < icount) {
                client.replayBreak(icount);
                if (!client.queryStatus().running()) {
                    client.cont();
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                while (client.queryStatus().running()) {
                    // A replayer that follows a live log and reaches the target exactly where the log (so far) ends
                    // waits inside its read of the next event and never gets to the break: it cannot go past the
                    // target until more log arrives, which is as good as paused there.
                    if (client.queryReplay().icount() == icount) {
                        // the break would otherwise stop it once the log goes on, after a resume
                        client.replayDeleteBreak();
                        LOG.info("VM {}: at icount {} and waiting for more record log: counts as the break", name(),
                                icount);
                        return null;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new ReplayDeskException(Status.TIMEOUT, "VM '" + name() + "' did not reach icount " + icount
                                + " within " + timeout.toSeconds() + " s (at " + client.queryReplay().icount() + "; QEMU's "
                                + "threads: " + hostWaits().orElse("unknown") + ")");
                    }
                    sleep(20);
                }
            } else {
                client.stop();
            }
            long reached = client.queryReplay().icount();
            transition(VmState.PAUSED, "replay break at " + reached);
            if (reached != icount) {
                throw ReplayDeskException.failed("VM '" + name() + "' paused at icount " + reached + " instead of " + icount, null);
            }
            return null;
        });
    }

    @Override
    public OptionalLong networkBytes() {
        Process p = process;
        return p != null && p.isAlive() ? NetCounters.total(paths.netCounters()) : OptionalLong.empty();
    }

    @Override
    public void injectNmi() {
        qmpCall("inject-nmi", client -> client.execute("inject-nmi", COMMAND_TIMEOUT));
        LOG.info("VM {}: NMI injected", name());
    }

    @Override
    public Optional<String> hostWaits() {
        Process p = process;
        return p != null && p.isAlive() ? HostThreadWaits.describe(p.pid()) : Optional.empty();
    }

    @Override
    public void screendump(Path pngFile) {
        Path target = pngFile.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw ReplayDeskException.failed("Cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        qmpCall("screendump", client -> {
            client.screendump(target, "png");
            return null;
        });
    }

    @Override
    public void typeText(String text) {
        List<KeyboardMap.Stroke> strokes = KeyboardMap.strokes(text);
        if (spec.mode() == RecordReplayMode.REPLAY) {
            throw ReplayDeskException.conflict("VM '" + name() + "' is a replayer: it takes its input from the record log");
        }
        qmpCall("typing", client -> {
            for (KeyboardMap.Stroke s : strokes) {
                List<InputEvent> down = new ArrayList<>();
                List<InputEvent> up = new ArrayList<>();
                if (s.shift()) {
                    down.add(InputEvent.key("shift", true));
                }
                down.add(InputEvent.key(s.qcode(), true));
                up.add(InputEvent.key(s.qcode(), false));
                if (s.shift()) {
                    up.add(InputEvent.key("shift", false));
                }
                client.inputSendEvents(down);
                sleep(KEY_INTERVAL_MS / 2);
                client.inputSendEvents(up);
                sleep(KEY_INTERVAL_MS);
            }
            return null;
        });
    }

    @Override
    public void switchWorkload(String workload) {
        owner.checkWorkload(workload);
        if (spec.mode() == RecordReplayMode.REPLAY) {
            throw ReplayDeskException.conflict("VM '" + name() + "' is a replayer: it follows the recorder's workload");
        }
        requireQmp();
        SerialConsole console = serial;
        if (console == null) {
            throw ReplayDeskException.unavailable("VM '" + name() + "' has no serial control line to its guest");
        }
        try {
            long mark = console.lineCount();
            console.send("wl " + workload);
            String answer = console.await(l -> l.equals("workload=" + workload + " started") || l.startsWith("error"), mark,
                    WORKLOAD_SWITCH_TIMEOUT);
            if (answer == null) {
                throw new ReplayDeskException(Status.TIMEOUT, "VM '" + name() + "': the guest did not confirm workload '"
                        + workload + "' within " + WORKLOAD_SWITCH_TIMEOUT.toSeconds() + " s");
            }
            if (answer.startsWith("error")) {
                throw ReplayDeskException.failed("VM '" + name() + "': the guest refused workload '" + workload + "': " + answer, null);
            }
            reportedWorkload = workload;
        } catch (IOException e) {
            throw ReplayDeskException.failed("VM '" + name() + "': cannot write to the serial line: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.failed("interrupted", e);
        }
    }

    @Override
    public boolean awaitGuestReady(Duration timeout) {
        SerialConsole console = serial;
        try {
            return console != null && console.await(l -> l.startsWith("ready"), 0, timeout) != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void deleteSnapshot(SnapshotTag tag) {
        qmpCall("delete snapshot", client -> {
            // delvm may meet the same record/replay refusal as savevm while events are queued: retry briefly.
            long deadline = System.nanoTime() + SAVEVM_RETRY.toNanos();
            while (true) {
                try {
                    client.delvm(tag.value());
                    try {
                        Files.deleteIfExists(paths.snapshotMemory(tag.value()));
                    } catch (IOException e) {
                        LOG.warn("VM {}: cannot delete the memory image of snapshot {}: {}", name(), tag, e.getMessage());
                    }
                    LOG.info("VM {}: snapshot {} deleted", name(), tag);
                    return null;
                } catch (org.replaydesk.qmp.QmpException e) {
                    if (!String.valueOf(e.getMessage()).contains("Record/replay") || System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleep(3);
                }
            }
        });
    }

    /** Where this VM's RAM lives while it records, or null when it stays anonymous (and inside the vmstate). */
    private Path recorderMemoryFile() throws IOException {
        Optional<Path> dir = owner.settings().memoryDir();
        if (spec.mode() != RecordReplayMode.RECORD || dir.isEmpty()) {
            return null;
        }
        // A shared mapping of a tmpfs file that runs out of space kills QEMU with SIGBUS when the guest touches a new
        // page, so a recorder that might not fit keeps its RAM anonymous (and inside the vmstate) instead.
        Files.createDirectories(dir.get());
        long usable = Files.getFileStore(dir.get()).getUsableSpace();
        long needed = (long) spec.memoryMb() << 20;
        if (usable < needed) {
            LOG.warn("VM {}: {} has {} MiB free, less than the VM's {} MiB of RAM; its snapshots carry RAM in the"
                    + " vmstate (a client fetches all of it on a first join). Free space there or set memory.dir in {}",
                    name(), dir.get(), usable >> 20, spec.memoryMb(), QemuHypervisor.PID);
            return null;
        }
        return paths.memoryFile(dir.get());
    }

    @Override
    public Optional<Path> snapshotMemory(SnapshotTag tag) {
        Path file = paths.snapshotMemory(tag.value());
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public SnapshotResult snapshot(SnapshotTag tag) {
        runControl.lock();
        try {
            return qmpCall("snapshot", client -> {
                Path memory = liveMemory;
                boolean counts = spec.mode() != RecordReplayMode.NONE;
                long[] stoppedAt = {-1L};
                SavevmResult r = memory == null ? client.savevm(tag.value(), SAVEVM_RETRY)
                        : client.savevmStopped(tag.value(), SAVEVM_RETRY, () -> {
                            // the snapshot's own count, read before cont lets the guest run on
                            stoppedAt[0] = counts ? client.queryReplay().icount() : -1L;
                            MemoryImages.copySparse(memory, paths.snapshotMemory(tag.value()));
                        });
                long icount = stoppedAt[0] >= 0 || !counts ? stoppedAt[0] : client.queryReplay().icount();
                LOG.info("VM {}: snapshot {} at icount {} stalled the guest {} ms ({} attempts)", name(), tag, icount,
                        r.stall().toMillis(), r.attempts());
                return new SnapshotResult(tag, icount, r.stall(), r.attempts(), r.total());
            });
        } finally {
            runControl.unlock();
        }
    }

    /** Kills the process without ceremony: used when the driver goes away. */
    void shutdown(Duration timeout) {
        try {
            stop(timeout);
        } catch (RuntimeException e) {
            LOG.warn("VM {}: stop on shutdown failed: {}", name(), e.getMessage());
        }
        Process p = process;
        if (p != null && p.isAlive()) {
            killProcess(p);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.failed("interrupted", e);
        }
    }
}
