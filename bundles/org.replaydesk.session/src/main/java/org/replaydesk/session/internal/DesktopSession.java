package org.replaydesk.session.internal;

import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ModeRequest;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.ReplayState;
import org.replaydesk.replay.ReplayStatus;
import org.replaydesk.snapshot.SnapshotService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open session: its display (where viewers stay connected across every switch), its mode machine and the
 * measurements its policy sees. Runs on its own thread: a tick samples the metrics, writes a line to the session's
 * timeline file and lets the machine decide.
 */
final class DesktopSession implements Switcher {

    private static final Logger LOG = LoggerFactory.getLogger(DesktopSession.class);

    /** Everything a session needs from its container. */
    record Services(DisplayService displays, ReplayService replays, SnapshotService snapshots,
            PolicyRegistry policies, Path timelineDir) {
    }

    private final String id;
    private final ServedVm vm;
    private final VmName display;
    private final DisplaySource serverSource;
    private final Services services;
    private final Clock clock;
    private final ModeMachine machine;
    private final RateWindow rates = new RateWindow();
    /** Lag as policies see it: a reading must last 2 s (see SustainedLag for why). */
    private final SustainedLag sustainedLag = new SustainedLag(Duration.ofSeconds(2));
    /** Chunk bytes the replayer fetched, spread over the chunk horizon for the replay-traffic estimate. */
    private final AmortizedBytes fetchedChunks = new AmortizedBytes();
    private final HostCpu hostCpu = new HostCpu();
    private final ScheduledExecutorService thread;
    private final InetSocketAddress viewerAddress;
    private final Instant openedAt;
    private volatile SessionTuning tuning;

    private SnapshotTag joinSnapshot;
    private long lastLogSize = -1;
    private long lastNanos;
    // Zero, not the first reading: a replay's first sample must count the join's chunks and log fetched so far.
    private long lastReplayWire;
    private long lastReplayChunks;
    private double bytesPerDamagedPixel;
    private volatile double displayBytes;
    private volatile double replayBytes;
    private volatile SessionMetrics lastMetrics;
    private volatile Duration roundTrip = Duration.ZERO;
    private volatile long lastJoinChunkBytes = -1;
    private final Object replayLock = new Object();

    /** Settings that may change while the session runs. */
    record SessionTuning(Duration tick, Duration chunkHorizon, long joinEstimateBytes, long logBufferBytes,
            double defaultBytesPerDamagedPixel, int recordLogPort) {
    }

    DesktopSession(String id, ServedVm vm, Services services, SessionTuning tuning, Clock clock,
            Consumer<ModeSwitch> onSwitch) {
        this.id = id;
        this.vm = vm;
        this.services = services;
        this.tuning = tuning;
        this.clock = clock;
        this.display = VmName.of(displayName(vm.name().value(), id));
        this.serverSource = vm.displaySource();
        this.bytesPerDamagedPixel = tuning.defaultBytesPerDamagedPixel();
        this.machine = new ModeMachine(clock, System::nanoTime, this, s -> {
            LOG.info("session {} ({}): {} -> {} by {} in {} ms: {}", id, vm.name(), s.from(), s.to(), s.decidedBy(),
                    s.latency().toMillis(), s.reason());
            onSwitch.accept(s);
        });
        DisplayInfo info = services.displays().open(display, serverSource, Duration.ofSeconds(30));
        this.viewerAddress = info.address();
        this.openedAt = clock.instant();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replaydesk-session-" + id);
            t.setDaemon(true);
            return t;
        });
    }

    /** The display's name: the VM's name plus the session id, within VmName's 63 characters. */
    static String displayName(String vm, String id) {
        String suffix = "-" + id;
        return (vm.length() + suffix.length() > 63 ? vm.substring(0, 63 - suffix.length()) : vm) + suffix;
    }

    void start() {
        writeTimelineHeader();
        thread.scheduleWithFixedDelay(this::tickSafely, 0, tuning.tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    void retune(SessionTuning value) {
        tuning = value;
    }

    String id() {
        return id;
    }

    VmName vm() {
        return vm.name();
    }

    VmName display() {
        return display;
    }

    /** @return where the VM runs: local, or the server host's address */
    String server() {
        return vm.server();
    }

    ModeMachine machine() {
        return machine;
    }

    private void tickSafely() {
        try {
            PolicyRegistry.Active policy = services.policies().active();
            SessionMetrics metrics = machine.complete(sample(policy.policy().window()));
            lastMetrics = metrics;
            writeTimeline(metrics, policy.name());
            machine.tick(metrics, policy.policy(), policy.name());
        } catch (RuntimeException e) {
            LOG.warn("session {}: tick failed: {}", id, e.toString(), e);
        }
    }

    /** Measures everything for one tick and returns the rates averaged over {@code window}. */
    private SessionMetrics.Builder sample(Duration window) {
        long now = System.nanoTime();
        double dt = lastNanos == 0 ? 0 : (now - lastNanos) / 1e9;
        lastNanos = now;
        Instant at = clock.instant();
        SessionMode mode = machine.mode();
        SessionTuning t = tuning;

        Optional<TrafficStats> traffic = services.displays().stats(display);
        Optional<InteractionStats> interaction = services.displays().interaction(display);
        // The short (2 s) damage rate matches the short display rate it is calibrated against; the window average
        // is taken over the policy's window below, like every other rate.
        // A remote VM's damage comes from its server (the client relay does not probe across the network).
        double damage = vm.serverDamagedPixelsPerSecond()
                .orElse(interaction.map(InteractionStats::shortDamagedPixelsPerSecond).orElse(0.0));
        double shortDisplay = traffic.map(TrafficStats::shortBytesPerSecond).orElse(0.0);
        double displayRate;
        boolean displayMeasured = mode.showsServerDisplay();
        if (displayMeasured) {
            displayRate = shortDisplay;
            displayBytes += shortDisplay * dt;
            if (damage > 0 && shortDisplay > 0) {
                // Calibrate what the viewers' encoding costs per damaged pixel on this desktop, slowly.
                bytesPerDamagedPixel = 0.9 * bytesPerDamagedPixel + 0.1 * (shortDisplay / damage);
            }
        } else {
            displayRate = damage * bytesPerDamagedPixel;
        }

        // Remote: the status request of this tick, which also measures the round trip.
        long logSize = vm.logBytes();
        double logRate = lastLogSize < 0 || dt <= 0 ? 0 : Math.max(0, logSize - lastLogSize) / dt
                * vm.logCompressionRatio();
        lastLogSize = logSize;

        Optional<ReplayStatus> replay = replayStatus();
        double replayRate;
        double chunkRate;
        boolean replayMeasured = replay.isPresent() && !replay.get().state().isFinal();
        if (replayMeasured) {
            ReplayStatus s = replay.get();
            double wire = dt <= 0 ? 0 : Math.max(0, s.logWireBytes() - lastReplayWire) / dt;
            // Wire bytes, not chunk bytes: the network carries chunks compressed (pager protocol version 2).
            chunkRate = dt <= 0 ? 0 : Math.max(0, s.chunkWireBytes() - lastReplayChunks) / dt;
            replayBytes += (wire + chunkRate) * dt;
            // Policies compare the steady cost: chunks are fetched once (see AmortizedBytes), the log flows on.
            fetchedChunks.add(at, chunkRate * dt);
            replayRate = wire + fetchedChunks.rate(at, t.chunkHorizon());
            lastReplayWire = s.logWireBytes();
            lastReplayChunks = s.chunkWireBytes();
            lastJoinChunkBytes = s.chunkWireBytes();
            vm.observeReplayLog(s.logBytes(), s.logWireBytes());
        } else {
            lastReplayWire = 0;
            lastReplayChunks = 0;
            fetchedChunks.clear();
            long join = lastJoinChunkBytes >= 0 ? lastJoinChunkBytes : t.joinEstimateBytes();
            chunkRate = join / (double) Math.max(1, t.chunkHorizon().toSeconds());
            replayRate = logRate + chunkRate;
        }
        rates.add(new RateWindow.Sample(at, displayRate, displayMeasured, replayRate, replayMeasured, logRate,
                chunkRate));
        RateWindow.Average avg = rates.average(at, window);

        Optional<Duration> lag = sustainedLag.add(at,
                replay.filter(s -> !s.state().isFinal()).flatMap(ReplayStatus::lag));
        boolean bufferFull = replay.map(s -> pendingLogBytes(s) > t.logBufferBytes()).orElse(false);
        roundTrip = vm.roundTrip();
        int viewers = services.displays().viewers(display).size();
        return SessionMetrics.builder()
                .session(id)
                .window(window)
                .display(avg.display(), avg.displayMeasured())
                .replay(avg.replay(), avg.replayMeasured())
                .logBytesPerSecond(avg.log())
                .chunkBytesPerSecond(avg.chunks())
                .replayLag(lag.orElse(null))
                .logBufferFull(bufferFull)
                .clientCpuLoad(hostCpu.hostLoad())
                .roundTrip(roundTrip)
                .input(interaction.map(InteractionStats::inputEvents).orElse(0),
                        interaction.map(InteractionStats::inputWindow).orElse(Duration.ofSeconds(10)))
                .framesPerSecondAfterInput(interaction.map(InteractionStats::framesPerSecondAfterInput).orElse(0.0))
                .vmCpuLoad(vm.vmCpuLoad(now))
                .vmNetworkBytesPerSecond(vm.vmNetworkBytesPerSecond(now))
                .viewers(viewers);
    }

    /**
     * Record log bytes the replayer has yet to execute, estimated from its instruction lag and the log's bytes per
     * instruction since the snapshot (the client does not see how far QEMU has read the log).
     */
    private static long pendingLogBytes(ReplayStatus s) {
        if (s.serverIcount() <= 0 || s.lagInstructions() <= 0) {
            return 0;
        }
        double bytesPerInstruction = s.logBytes() / (double) Math.max(1, s.serverIcount());
        return (long) (s.lagInstructions() * bytesPerInstruction);
    }

    private Optional<ReplayStatus> replayStatus() {
        synchronized (replayLock) {
            if (joinSnapshot == null) {
                return Optional.empty();
            }
        }
        return services.replays().find(vm.name()).map(ReplaySession::status);
    }

    // ---- Switcher: what the machine asks of the hosts ----

    @Override
    public Duration takeSnapshot() {
        if (services.replays().find(vm.name()).isPresent()) {
            throw new IllegalStateException("a replayer of " + vm.name()
                    + " already runs outside this session (desk:replay-stop " + vm.name() + ")");
        }
        JoinSnapshot info = vm.takeJoinSnapshot();
        synchronized (replayLock) {
            joinSnapshot = info.tag();
        }
        return info.stall();
    }

    @Override
    public void startReplay() {
        SnapshotTag tag;
        synchronized (replayLock) {
            tag = joinSnapshot;
        }
        services.replays().start(vm.name(), vm.replayOptions(tag));
    }

    @Override
    public ReplayProgress replayProgress() {
        Optional<ReplayStatus> s = replayStatus();
        if (s.isEmpty()) {
            return new ReplayProgress(false, Optional.of("the replayer is gone"));
        }
        ReplayStatus status = s.get();
        if (status.state().isFinal()) {
            return new ReplayProgress(false, Optional.of(status.state().name().toLowerCase(Locale.ROOT)
                    + status.failure().map(f -> ": " + f).orElse("")));
        }
        if (status.stall().isPresent()) {
            // A replayer that stays at one instruction while the server runs on will not catch up: waiting for the
            // dual-mode cap (200 s) or for the lag to build would keep the user on a frozen or doubled screen.
            return new ReplayProgress(false, Optional.of("it does not advance, " + status.stall().get()));
        }
        // LIVE: the replayer has once executed everything the server logged (the paper's "caught up"). The
        // instantaneous caughtUp flag is only true while the replayer happens to wait for bytes at the sample.
        return new ReplayProgress(status.state() == ReplayState.LIVE, Optional.empty());
    }

    @Override
    public void showReplay() {
        ReplayStatus s = replayStatus().orElseThrow(() -> new IllegalStateException("the replayer is gone"));
        services.displays().switchSource(display, DisplaySource.unixSocket(s.vncSocket()), Duration.ofSeconds(10));
    }

    @Override
    public void showDisplay() {
        services.displays().switchSource(display, serverSource, Duration.ofSeconds(5));
    }

    @Override
    public void stopReplay() {
        synchronized (replayLock) {
            if (joinSnapshot == null) {
                return;
            }
            joinSnapshot = null;
        }
        try {
            services.replays().stop(vm.name());
        } catch (RuntimeException e) {
            LOG.warn("session {}: stopping the replayer of {} failed: {}", id, vm.name(), e.toString());
        }
    }

    // ---- views ----

    SessionInfo info(String client, String policy) {
        SessionMetrics m = lastMetrics;
        int viewers;
        try {
            viewers = services.displays().viewers(display).size();
        } catch (RuntimeException e) {
            viewers = 0;
        }
        return new SessionInfo(id, vm.name().value(), client, machine.mode(), machine.since(), machine.request(),
                policy, viewerAddress, viewers, (long) displayBytes, (long) replayBytes,
                m == null ? 0 : m.displayBytesPerSecond(), m == null ? 0 : m.replayBytesPerSecond(),
                m == null ? Optional.empty() : m.replayLag(), machine.history().size(), machine.lastDecision(),
                server());
    }

    SessionMetrics lastMetrics() {
        return lastMetrics;
    }

    Instant openedAt() {
        return openedAt;
    }

    void request(ModeRequest request) {
        machine.request(request);
    }

    /** Stops the session's thread, its replayer and its display; the VM keeps running. */
    void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopReplay();
        try {
            services.displays().close(display);
        } catch (RuntimeException e) {
            LOG.debug("session {}: display {} already closed: {}", id, display, e.toString());
        }
        vm.close();
    }

    // ---- timeline: one CSV line per tick, for operators and the sequence benchmark's chart ----

    private Path timeline() {
        return services.timelineDir().resolve(id + "-" + vm.name().value() + ".csv");
    }

    private void writeTimelineHeader() {
        try {
            Files.createDirectories(services.timelineDir());
            Files.writeString(timeline(), "time_ms,mode,display_bytes,replay_bytes,display_bps,display_measured,"
                    + "replay_bps,replay_measured,log_bps,chunk_bps,lag_ms,policy\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("session {}: cannot write its timeline {}: {}", id, timeline(), e.toString());
        }
    }

    private void writeTimeline(SessionMetrics m, String policy) {
        String line = String.format(Locale.ROOT, "%d,%s,%d,%d,%.0f,%b,%.0f,%b,%.0f,%.0f,%s,%s%n",
                Duration.between(openedAt, m.now()).toMillis(), m.mode(), (long) displayBytes, (long) replayBytes,
                m.displayBytesPerSecond(), m.displayMeasured(), m.replayBytesPerSecond(), m.replayMeasured(),
                m.logBytesPerSecond(), m.chunkBytesPerSecond(),
                m.replayLag().map(d -> Long.toString(d.toMillis())).orElse(""), policy);
        try (Writer w = Files.newBufferedWriter(timeline(), StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(line);
        } catch (IOException e) {
            // The timeline is a convenience; the session goes on without it.
        }
    }

    List<ModeSwitch> history() {
        return machine.history();
    }
}
