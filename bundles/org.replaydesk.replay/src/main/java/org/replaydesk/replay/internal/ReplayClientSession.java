package org.replaydesk.replay.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.pager.RemoteImage;
import org.replaydesk.recordlog.Heartbeat;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.ReplayState;
import org.replaydesk.replay.ReplayStatus;
import org.replaydesk.replay.internal.fuse.ImageFeeder;
import org.replaydesk.replay.internal.fuse.ImageStat;
import org.replaydesk.replay.internal.fuse.LogFeeder;
import org.replaydesk.replay.internal.fuse.LogStat;
import org.replaydesk.replay.internal.fuse.RdfuseProcess;
import org.replaydesk.snapshot.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replay session: the parts {@link ReplayComponent} put together (helper, feeders, log subscription, replaying
 * VM) and the state machine a monitor thread drives from what they report. Parts are released in reverse order of
 * their creation by {@link #release}, whichever way the session ends.
 */
final class ReplayClientSession implements ReplaySession {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayClientSession.class);

    /** Heartbeats kept to measure the recorder's instructions per second (the lag as time). */
    private static final Duration RATE_WINDOW = Duration.ofSeconds(5);

    static final String LOG_FILE = "record.log";

    private final VmName vm;
    private final VmName replayer;
    private final SnapshotInfo snapshot;
    private final Instant requested;
    private final Path workDir;

    // The parts, set while the session is built; released in reverse order.
    RdfuseProcess rdfuse;
    final List<RemoteImage> images = new ArrayList<>();
    final List<ImageFeeder> feeders = new ArrayList<>();
    LogFeeder logFeeder;
    Subscription subscription;
    VirtualMachine replayerVm;

    private final Object lock = new Object();
    private ReplayState state = ReplayState.STARTING;
    private String failure;
    private Duration startup;
    private volatile String helperExit;
    private final Deque<Heartbeat> heartbeats = new ArrayDeque<>();
    private long lastClientIcount = -1;
    private boolean caughtUp;
    // Owned by the monitor thread (poll); stall is read by status().
    private final StallWatch stallWatch = new StallWatch(ReplayStatus.STALL_AFTER);
    private Instant lastProgressCheck = Instant.EPOCH;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private final ExecutorService probes = Executors.newSingleThreadExecutor(
            r -> RdfuseProcess.daemon(r, "replay-progress-probe"));
    private volatile String stall;
    // Set with a stall in which nothing the replayer reads is missing: it diverged, and only a new replay helps.
    private volatile boolean diverged;
    // How this session came to be when it replaced a diverged one (status().rejoin()); set before it is listed.
    private volatile String rejoin;
    private volatile org.replaydesk.replay.ReplayOptions options;

    ReplayClientSession(VmName vm, VmName replayer, SnapshotInfo snapshot, Instant requested, Path workDir) {
        this.vm = vm;
        this.replayer = replayer;
        this.snapshot = snapshot;
        this.requested = requested;
        this.workDir = workDir;
    }

    @Override
    public VmName vm() {
        return vm;
    }

    @Override
    public VmName replayer() {
        return replayer;
    }

    SnapshotInfo snapshot() {
        return snapshot;
    }

    /** @return whether the replayer stalled with nothing missing: the replay diverged from the recording */
    boolean diverged() {
        return diverged;
    }

    private boolean rejoinRefusalLogged;

    /** @return true the first time: a refused rejoin is logged once per session */
    synchronized boolean rejoinRefusalLogged() {
        boolean first = !rejoinRefusalLogged;
        rejoinRefusalLogged = true;
        return first;
    }

    void rejoined(String why) {
        rejoin = why;
    }

    String rejoin() {
        return rejoin;
    }

    void options(org.replaydesk.replay.ReplayOptions started) {
        options = started;
    }

    org.replaydesk.replay.ReplayOptions options() {
        return options;
    }

    Path workDir() {
        return workDir;
    }

    /** The helper's exit listener: remembered, acted on by the next {@link #poll}. */
    void helperExited(String reason) {
        helperExit = reason;
    }

    ReplayState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Once the replayer runs: from here the monitor drives the state. */
    void started() {
        synchronized (lock) {
            if (state == ReplayState.STARTING) {
                state = ReplayState.CATCHING_UP;
                lock.notifyAll();
            }
        }
    }

    /** Ends the session on an error; returns false when it had ended already. */
    boolean fail(String reason) {
        synchronized (lock) {
            if (state.isFinal()) {
                return false;
            }
            state = ReplayState.FAILED;
            failure = reason;
            lock.notifyAll();
        }
        LOG.error("Replay of {} failed: {}", vm, reason);
        return true;
    }

    void stopped() {
        synchronized (lock) {
            if (!state.isFinal()) {
                state = ReplayState.STOPPED;
                lock.notifyAll();
            }
        }
    }

    /**
     * One look at the parts (every 100 ms from the monitor thread): failures first (helper gone, log stream broken,
     * replayer died), then progress (caught up or not, ended).
     *
     * @return a reason when the session must be torn down because it failed, else empty
     */
    Optional<String> poll() {
        ReplayState now = state();
        if (now.isFinal() || now == ReplayState.STARTING) {
            return Optional.empty(); // STARTING: the builder reports its own failures
        }
        String exit = helperExit;
        if (exit != null) {
            return Optional.of("the FUSE helper (rdfuse) exited: " + exit);
        }
        Optional<String> logFailure = logFeeder.failure();
        if (logFailure.isPresent()) {
            return Optional.of("the record log stream failed: " + logFailure.get());
        }
        VmState vmState = replayerVm.state();
        if (vmState == VmState.FAILED || vmState == VmState.STOPPED) {
            VmStatus st = replayerVm.status();
            return Optional.of("the replaying QEMU ended (" + vmState + ")"
                    + st.failureReason().map(r -> ": " + r).orElse(""));
        }
        LogStat stat;
        try {
            stat = rdfuse.statLog(LOG_FILE);
        } catch (ReplayDeskException e) {
            return Optional.of("the FUSE helper (rdfuse) does not answer: " + e.getMessage());
        }
        logFeeder.lastHeartbeat().ifPresent(this::remember);
        boolean waiting = stat.blocked() > 0;
        boolean ended = "ended".equals(stat.state()) && vmState == VmState.PAUSED;
        synchronized (lock) {
            caughtUp = waiting || ended;
            if (ended) {
                state = ReplayState.ENDED;
                failure = "the recording ended and the replayer reached its end";
            } else if (waiting && state == ReplayState.CATCHING_UP) {
                state = ReplayState.LIVE;
                startup = Duration.between(requested, Instant.now());
                LOG.info("Replay of {} is live after {} ms (from snapshot {}, {} log bytes, {} chunk bytes, {} on the "
                        + "wire)", vm, startup.toMillis(), snapshot.tag(), logFeeder.bytesAppended(), chunkBytes(),
                        chunkWireBytes());
            }
            lock.notifyAll();
        }
        watchProgress(vmState);
        return Optional.empty();
    }

    /**
     * Once a second: whether the replayer still advances while the recorder is ahead. A stall is logged once with
     * what the replayer waits for (docs/operations.md, "A replay that does not advance") and shown in {@link
     * #status()}; this replay session goes on (a late chunk may still come), while a desktop session seeing the stall
     * goes back to the server's display.
     */
    private void watchProgress(VmState vmState) {
        Instant now = Instant.now();
        if (Duration.between(lastProgressCheck, now).compareTo(Duration.ofSeconds(1)) < 0) {
            return;
        }
        lastProgressCheck = now;
        StallWatch.Change change;
        long client = -1;
        long server = serverIcount();
        boolean monitorSilent = false;
        if (vmState != VmState.RUNNING) {
            change = stallWatch.paused(now);
        } else {
            client = probeIcount();
            if (client < 0) {
                // QEMU's monitor did not answer: its main loop waits for the replay lock, which a vCPU holds while it
                // is blocked, e.g. in a page fault on a chunk that has not arrived. No progress either.
                monitorSilent = true;
                synchronized (lock) {
                    client = lastClientIcount;
                }
                now = Instant.now();
            } else {
                synchronized (lock) {
                    lastClientIcount = client;
                }
            }
            change = stallWatch.observe(now, client, server);
        }
        switch (change) {
            case STALLED -> {
                stall = diagnoseStall(client, server, stallWatch.atIcountFor(now), monitorSilent);
                LOG.warn("Replay of {} does not advance: {}", vm, stall);
            }
            case RESUMED -> {
                LOG.info("Replay of {} advances again (it had stalled: {})", vm, stall);
                stall = null;
                diverged = false;
            }
            case NONE -> {
                if (stallWatch.stalled()) {
                    Duration stuck = stallWatch.atIcountFor(now);
                    if (stuck.toSeconds() % 10 == 0) {
                        // kept fresh for status, not logged again
                        stall = diagnoseStall(client, server, stuck, monitorSilent);
                    }
                }
            }
        }
    }

    /**
     * The replayer's instruction count, or -1 when its monitor does not answer within {@link #PROBE_TIMEOUT}. The
     * query runs on a thread of its own: QMP's own timeout (10 s) would hold up the monitor thread and the stall
     * report behind a monitor that cannot answer at all.
     */
    private long probeIcount() {
        VirtualMachine r = replayerVm;
        Future<Long> probe;
        try {
            probe = probes.submit(() -> r.status().icount().orElse(-1L));
        } catch (RejectedExecutionException e) {
            return -1;
        }
        try {
            return probe.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return -1; // a late answer is dropped; the next probe queues behind it and times out too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Ends the progress probes (with the session's parts). */
    void closeProbes() {
        probes.shutdownNow();
    }

    /** What a replayer that does not advance waits for, as far as rdfuse and the host kernel tell. */
    private String diagnoseStall(long client, long server, Duration stuck, boolean monitorSilent) {
        List<String> why = new ArrayList<>();
        if (monitorSilent) {
            why.add("QEMU's monitor does not answer (a vCPU blocked inside guest code holds the replay lock)");
        }
        try {
            LogStat log = rdfuse.statLog(LOG_FILE);
            if (log.blocked() > 0) {
                why.add("it waits for record-log bytes (" + log.received() + " received, its read starts at "
                        + log.asked() + "): the log stream is behind the recorder");
            }
            for (ImageFeeder feeder : feeders) {
                ImageStat image = rdfuse.statImage(feeder.name());
                if (image.blocked() > 0 || image.requested() > 0) {
                    why.add(image.blocked() + " reads of image " + feeder.name() + " wait for " + image.requested()
                            + " chunks asked for and not delivered (" + feeder.chunksServed() + " delivered, "
                            + feeder.chunkErrors() + " refused so far)");
                }
            }
        } catch (ReplayDeskException e) {
            why.add("rdfuse cannot tell (" + e.getMessage() + ")");
        }
        diverged = why.isEmpty();
        if (why.isEmpty()) {
            why.add("nothing it reads is missing, so it waits for an event its record log does not hold: the replay "
                    + "has diverged from the recording");
        }
        return "at icount " + client + " for " + stuck.toSeconds() + " s while the recorder is at " + server + "; "
                + String.join("; ", why) + replayerVm.hostWaits().map(w -> " (QEMU's threads: " + w + ")").orElse("");
    }

    private long serverIcount() {
        return logFeeder == null ? -1 : logFeeder.lastHeartbeat().flatMap(h -> h.icount().isPresent()
                ? Optional.of(h.icount().getAsLong()) : Optional.empty()).orElse(-1L);
    }

    private void remember(Heartbeat hb) {
        synchronized (heartbeats) {
            Heartbeat last = heartbeats.peekLast();
            if (last != null && !hb.serverTime().isAfter(last.serverTime())) {
                return;
            }
            heartbeats.addLast(hb);
            while (heartbeats.size() > 2
                    && Duration.between(heartbeats.peekFirst().serverTime(), hb.serverTime()).compareTo(RATE_WINDOW) > 0) {
                heartbeats.removeFirst();
            }
        }
    }

    /** The recorder's instructions per second over the last heartbeats; empty until two with icounts exist. */
    private OptionalLong instructionsPerSecond() {
        synchronized (heartbeats) {
            Heartbeat first = heartbeats.peekFirst();
            Heartbeat last = heartbeats.peekLast();
            if (first == null || first == last || first.icount().isEmpty() || last.icount().isEmpty()) {
                return OptionalLong.empty();
            }
            long millis = Duration.between(first.serverTime(), last.serverTime()).toMillis();
            long delta = last.icount().getAsLong() - first.icount().getAsLong();
            if (millis <= 0 || delta <= 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(delta * 1000 / millis);
        }
    }

    long chunkBytes() {
        long sum = 0;
        for (RemoteImage i : images) {
            sum += i.bytesFetched();
        }
        return sum;
    }

    /** @return what {@link #chunkBytes()} cost the network (compressed chunks at their compressed size) */
    long chunkWireBytes() {
        long sum = 0;
        for (RemoteImage i : images) {
            sum += i.wireBytesFetched();
        }
        return sum;
    }

    private long chunksFetched() {
        long sum = 0;
        for (RemoteImage i : images) {
            sum += i.chunksFetched();
        }
        return sum;
    }

    @Override
    public ReplayStatus status() {
        long server = serverIcount();
        long client = -1;
        VirtualMachine r = replayerVm;
        if (r != null && r.state().hasProcess() && stall == null) {
            // Bounded like the monitor's probe: a replayer blocked in guest code leaves QMP silent for its whole
            // timeout (10 s), and sessions call this every tick. Unanswered, the last count stands; while stalled it
            // is not asked at all.
            client = probeIcount();
        }
        synchronized (lock) {
            if (client >= 0) {
                lastClientIcount = client;
            } else {
                client = lastClientIcount;
            }
            long lagInstructions = server >= 0 && client >= 0 ? Math.max(0, server - client) : -1;
            Optional<Duration> lag = Optional.empty();
            OptionalLong rate = instructionsPerSecond();
            if (lagInstructions >= 0 && rate.isPresent()) {
                lag = Optional.of(Duration.ofNanos((long) (lagInstructions * 1e9 / rate.getAsLong())));
            }
            Path vnc = r != null ? r.vncSocket() : workDir.resolve("none");
            return new ReplayStatus(vm, replayer, state, snapshot.tag(), server, client, lagInstructions, lag, caughtUp,
                    logFeeder == null ? 0 : logFeeder.bytesAppended(),
                    subscription == null ? 0 : subscription.wireBytesReceived(), chunkBytes(), chunkWireBytes(),
                    chunksFetched(),
                    Optional.ofNullable(startup), vnc, Optional.ofNullable(failure), Optional.ofNullable(stall),
                    Optional.ofNullable(rejoin));
        }
    }

    @Override
    public ReplayStatus awaitLive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != ReplayState.LIVE) {
                if (state == ReplayState.FAILED) {
                    throw new ReplayDeskException(Status.FAILED, "Replay of " + vm + " failed: " + failure);
                }
                if (state.isFinal()) {
                    throw ReplayDeskException.conflict("Replay of " + vm + " is " + state + ", not live");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ReplayDeskException(Status.UNAVAILABLE, "Replay of " + vm + " did not catch up within "
                            + timeout.toSeconds() + " s (state " + state + ")");
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ReplayDeskException.failed("interrupted", e);
                }
            }
        }
        return status();
    }
}
