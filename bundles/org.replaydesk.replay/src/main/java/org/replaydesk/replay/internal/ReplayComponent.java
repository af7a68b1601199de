package org.replaydesk.replay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.pager.ImagePager;
import org.replaydesk.pager.RemoteImage;
import org.replaydesk.pager.RemoteSessionAgent;
import org.replaydesk.pager.SessionControl;
import org.replaydesk.recordlog.RecordLogPublisher;
import org.replaydesk.recordlog.RecordLogSubscriber;
import org.replaydesk.recordlog.SubscriptionOptions;
import org.replaydesk.replay.ReplayOptions;
import org.replaydesk.replay.ReplayServer;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.internal.fuse.ImageFeeder;
import org.replaydesk.replay.internal.fuse.LogFeeder;
import org.replaydesk.replay.internal.fuse.RdfuseProcess;
import org.replaydesk.snapshot.BackingImage;
import org.replaydesk.snapshot.SnapshotCatalog;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotProgress;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay client of this host. A session is built in steps, each of which can fail with a message naming it:
 * read the VM's snapshot catalog from the server's chunk server, start rdfuse, declare the snapshot image (and its
 * base) as lazily fetched files fed from the pager, point the image at the fetched base, declare the live log and
 * subscribe to the server's stream from the snapshot's log offset, then define and start a replaying VM in the local
 * hypervisor. A monitor thread then watches every session (100 ms): a broken part fails the session and tears it
 * down, so QEMU never hangs on a dead helper.
 */
@Component(service = ReplayService.class, configurationPid = "org.replaydesk.replay", immediate = true)
@Designate(ocd = ReplayConfiguration.class)
public class ReplayComponent implements ReplayService {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayComponent.class);

    private static final Duration MONITOR_PERIOD = Duration.ofMillis(100);
    private static final Duration HELPER_START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REPLAYER_STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final String REPLAYER_SUFFIX = "-replay";

    private final Hypervisor hypervisor;
    private final RecordLogSubscriber subscriber;
    private final ImagePager pager;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SnapshotService snapshots;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RecordLogPublisher localPublisher;
    /** Asks a server host for a JOIN snapshot when a replay of one of its VMs rejoins (its session agent). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SessionControl sessionControl;

    private final ReplaySettings settings;
    private final Map<VmName, ReplayClientSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService monitor;
    /** Rejoins of diverged replays (docs/architecture.md, "Divergence and rejoin"), per recording VM. */
    private final Map<VmName, RejoinBudget> rejoinBudgets = new ConcurrentHashMap<>();
    /** What the next session of a VM reports as its rejoin (set by the rejoin, read by start). */
    private final Map<VmName, String> rejoinNotes = new ConcurrentHashMap<>();
    /** Starts rejoins off the monitor thread: a start takes seconds (snapshot, helper, QEMU, loadvm). */
    private final ExecutorService rejoiner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "replay-rejoin");
        t.setDaemon(true);
        return t;
    });
    static final int REJOIN_LIMIT = 3;
    static final Duration REJOIN_WINDOW = Duration.ofMinutes(10);

    @Activate
    public ReplayComponent(@Reference Hypervisor hypervisor, @Reference RecordLogSubscriber subscriber,
            @Reference ImagePager pager, ReplayConfiguration config) {
        this.hypervisor = hypervisor;
        this.subscriber = subscriber;
        this.pager = pager;
        this.settings = ReplaySettings.of(config, System.getProperty("karaf.home"), System.getProperty("karaf.data"));
        this.monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-monitor");
            t.setDaemon(true);
            return t;
        });
        monitor.scheduleWithFixedDelay(this::watch, MONITOR_PERIOD.toMillis(), MONITOR_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("Replay client ready: helper {}, work folder {}", settings.rdfuse(), settings.workDir());
    }

    @Deactivate
    void deactivate() {
        monitor.shutdownNow();
        rejoiner.shutdownNow();
        for (ReplayClientSession s : new ArrayList<>(sessions.values())) {
            s.stopped();
            release(s);
        }
        sessions.clear();
    }

    @Override
    public ReplaySession start(VmName vm, ReplayOptions options) {
        ReplayServer server = options.server().orElseGet(this::localServer);
        VmName replayerName = replayerName(vm);
        ReplayClientSession previous = sessions.get(vm);
        if (previous != null && previous.snapshot() != null && previous.state().isFinal()) {
            sessions.remove(vm, previous); // already torn down; it was listed only so its reason could be read
        }
        ReplayClientSession placeholder = new ReplayClientSession(vm, replayerName, null, Instant.now(), null);
        if (sessions.putIfAbsent(vm, placeholder) != null) {
            throw ReplayDeskException.conflict("VM " + vm + " is already being replayed here: stop that session first"
                    + " (desk:replay-stop " + vm + ")");
        }
        Instant requested = Instant.now();
        ReplayClientSession session = null;
        try {
            if (options.freshSnapshot()) {
                SnapshotService local = snapshots;
                if (local == null || options.server().isPresent()) {
                    throw ReplayDeskException.invalid("a fresh snapshot can only be taken of a VM of this host (no"
                            + " --server), and needs the snapshotter (feature replaydesk-snapshot)");
                }
                local.take(vm, SnapshotTrigger.JOIN, SnapshotProgress.NONE);
            }
            SnapshotCatalog catalog = readCatalog(server, vm);
            SnapshotInfo snapshot = options.snapshot()
                    .map(tag -> catalog.find(tag).orElseThrow(() -> ReplayDeskException.notFound("VM " + vm
                            + " has no snapshot " + tag + " on " + describe(server.chunks()) + "; it has "
                            + catalog.snapshots().stream().map(s -> s.tag().value()).toList())))
                    .orElseGet(() -> catalog.newest().orElseThrow(() -> ReplayDeskException.notFound("VM " + vm
                            + " has no snapshot yet on " + describe(server.chunks())
                            + ": wait for its boot snapshot or take one (desk:snapshot-take " + vm + ")")));
            session = new ReplayClientSession(vm, replayerName, snapshot, requested,
                    settings.workDir().resolve(vm.value()));
            session.options(options);
            String note = rejoinNotes.remove(vm);
            if (note != null) {
                session.rejoined(note);
            }
            sessions.put(vm, session);
            build(session, server, catalog);
            session.started();
            LOG.info("Replaying {} from snapshot {} (icount {}, log offset {}) in VM {}", vm, snapshot.tag(),
                    snapshot.icount(), snapshot.logOffset(), replayerName);
            return session;
        } catch (RuntimeException e) {
            if (session != null) {
                session.fail(e.getMessage());
                release(session);
            }
            sessions.remove(vm);
            throw e;
        }
    }

    private void build(ReplayClientSession s, ReplayServer server, SnapshotCatalog catalog) {
        SnapshotInfo snapshot = s.snapshot();
        Path work = s.workDir();
        try {
            deleteTree(work);
            Files.createDirectories(work.resolve("spool"));
        } catch (IOException e) {
            throw ReplayDeskException.failed("Cannot prepare the work folder " + work + ": " + e.getMessage(), e);
        }
        s.rdfuse = RdfuseProcess.start(settings.rdfuse(), work.resolve("mnt"), work.resolve("spool"),
                HELPER_START_TIMEOUT);
        s.rdfuse.setExitListener(s::helperExited);

        InetSocketAddress chunks = resolve(server.chunks());
        Path imageFile = mountImage(s, chunks, snapshot.imageId(), "qcow2");
        if (snapshot.backing().isPresent()) {
            BackingImage base = snapshot.backing().get();
            Path baseFile = mountImage(s, chunks, base.imageId(), base.format());
            // The image names the base by the server's path; only the header changes, and the helper keeps that
            // write in its private overlay (the fetched chunks stay pristine).
            runQemuImg(List.of(settings.qemuImg(), "rebase", "-u", "-f", "qcow2", "-b", baseFile.toString(), "-F",
                    base.format(), imageFile.toString()));
        }

        // The snapshot's RAM, when the recorder kept it out of the vmstate: the replayer maps this file privately,
        // so a page crosses the network only when the replay touches it (instead of all of RAM before loadvm).
        Optional<Path> memoryFile = snapshot.memoryImageId().map(id -> mountImage(s, chunks, id, "ram",
                settings.memoryReadAhead()));

        Path logFile = s.rdfuse.declareLog(ReplayClientSession.LOG_FILE, snapshot.logOffset());
        s.logFeeder = new LogFeeder(s.rdfuse, ReplayClientSession.LOG_FILE);
        SubscriptionOptions defaults = SubscriptionOptions.defaults();
        SubscriptionOptions options = new SubscriptionOptions(settings.logToken(), defaults.bufferBytes(),
                settings.logTlsTrust(), defaults.reconnectDelay(), defaults.reconnectTimeout(), defaults.idleTimeout(),
                defaults.compress());
        s.subscription = subscriber.subscribe(resolve(server.recordLog()), s.vm(), snapshot.logOffset(), s.logFeeder,
                options);

        VirtualMachine leftover = hypervisor.find(s.replayer()).orElse(null);
        if (leftover != null) {
            if (leftover.spec().mode() != RecordReplayMode.REPLAY || leftover.state().hasProcess()) {
                throw ReplayDeskException.conflict("A VM named " + s.replayer() + " exists here and is not a stopped"
                        + " replayer: delete or rename it");
            }
            hypervisor.delete(s.replayer());
        }
        VmSpec spec = VmSpec.builder(s.replayer()).memoryMb(catalog.recorder().memoryMb())
                .workload(catalog.recorder().workload()).network(catalog.recorder().network())
                .replay(new ReplaySource(logFile, imageFile, Optional.of(snapshot.tag()), memoryFile)).build();
        s.replayerVm = hypervisor.create(spec);
        s.replayerVm.start();
    }

    private Path mountImage(ReplayClientSession s, InetSocketAddress chunks, String imageId, String extension) {
        return mountImage(s, chunks, imageId, extension, -1);
    }

    /** @param readAhead the image's own read-ahead, or -1 for the pager's */
    private Path mountImage(ReplayClientSession s, InetSocketAddress chunks, String imageId, String extension,
            int readAhead) {
        RemoteImage image = readAhead < 0 ? pager.open(chunks, imageId) : pager.open(chunks, imageId, readAhead);
        s.images.add(image);
        String name = imageId + "." + extension;
        s.rdfuse.declareImage(name, image.manifest().imageSize(), ImageFeeder.blockSize(image.manifest()));
        s.feeders.add(new ImageFeeder(s.rdfuse, name, image, settings.imageThreads()));
        return s.rdfuse.mountPoint().resolve(name);
    }

    private SnapshotCatalog readCatalog(ReplayServer server, VmName vm) {
        InetSocketAddress chunks = resolve(server.chunks());
        RemoteImage image;
        try {
            image = pager.open(chunks, SnapshotCatalog.imageId(vm));
        } catch (ReplayDeskException e) {
            if (e.status() == Status.NOT_FOUND) {
                throw ReplayDeskException.notFound("The chunk server " + describe(chunks) + " has no snapshots of VM "
                        + vm + ": is it a recording VM there, and does that host run the snapshotter?");
            }
            throw e;
        }
        try (image) {
            long size = image.manifest().imageSize();
            if (size > SnapshotCatalog.MAX_BYTES) {
                throw ReplayDeskException.invalid("The snapshot catalog of " + vm + " on " + describe(chunks) + " is "
                        + size + " bytes, more than " + SnapshotCatalog.MAX_BYTES);
            }
            return SnapshotCatalog.fromJson(image.read(0, (int) size));
        }
    }

    private ReplayServer localServer() {
        RecordLogPublisher publisher = localPublisher;
        if (publisher == null) {
            throw ReplayDeskException.unavailable("No record-log streamer runs in this container: name the server"
                    + " with --server HOST[:PORT], or install the feature replaydesk-recordlog");
        }
        int port = publisher.address().getPort();
        return ReplayServer.parse("127.0.0.1:" + port);
    }

    private static VmName replayerName(VmName vm) {
        String name = vm.value() + REPLAYER_SUFFIX;
        if (name.length() > 63) {
            throw ReplayDeskException.invalid("VM name " + vm + " is too long to name its replayer " + name
                    + " (63 characters at most)");
        }
        return VmName.of(name);
    }

    private static InetSocketAddress resolve(InetSocketAddress address) {
        InetSocketAddress resolved = address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (resolved.isUnresolved()) {
            throw ReplayDeskException.unavailable("Cannot resolve host " + address.getHostString());
        }
        return resolved;
    }

    private static String describe(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private void runQemuImg(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw ReplayDeskException.failed(String.join(" ", cmd) + " did not finish within 60 s", null);
            }
            if (p.exitValue() != 0) {
                throw ReplayDeskException.failed(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out, null);
            }
        } catch (IOException e) {
            throw ReplayDeskException.unavailable("Cannot run " + cmd.get(0) + " (apt-get install qemu-utils): "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.failed("interrupted", e);
        }
    }

    private void watch() {
        for (ReplayClientSession s : sessions.values()) {
            try {
                if (s.snapshot() == null) {
                    continue; // still being set up
                }
                Optional<String> failure = s.poll();
                if (failure.isPresent() && s.fail(failure.get())) {
                    release(s);
                } else if (s.diverged() && !s.state().isFinal()) {
                    rejoinIfAllowed(s);
                }
            } catch (RuntimeException e) {
                LOG.warn("Replay monitor: session of {}: {}", s.vm(), e.toString());
            }
        }
    }

    /**
     * A replay that diverged cannot come back by itself: QEMU waits for an event its log will never hold. If the
     * session was started with {@link ReplayOptions#rejoinOnDivergence()} and the VM's budget allows, it ends (its
     * failure says why) and a new replay of the same VM starts from a fresh snapshot (this host's recorder) or the
     * newest one (a server's); otherwise it stays stalled, once logged.
     */
    private void rejoinIfAllowed(ReplayClientSession s) {
        ReplayOptions options = s.options();
        if (options == null || !options.rejoinOnDivergence()) {
            return;
        }
        String stall = s.status().stall().orElse("no progress");
        RejoinBudget budget = rejoinBudgets.computeIfAbsent(s.vm(), vm -> new RejoinBudget(REJOIN_LIMIT,
                REJOIN_WINDOW));
        if (!budget.tryTake(Instant.now())) {
            if (s.rejoinRefusalLogged()) {
                LOG.warn("Replay of {} diverged again; not rejoining ({} used up): it stays stalled. Stop it or start"
                        + " it again by hand (desk:replay-stop / desk:replay-start)", s.vm(), budget);
            }
            return;
        }
        String reason = "the replay diverged from the recording (" + stall + "); rejoining from a new snapshot";
        if (!s.fail(reason)) {
            return;
        }
        LOG.warn("Replay of {}: {}", s.vm(), reason);
        release(s);
        rejoinNotes.put(s.vm(), "rejoined " + budget.total() + " time(s) after a divergence; last: " + stall);
        rejoiner.execute(() -> {
            try {
                ReplaySession next = start(s.vm(), rejoinOptions(s.vm(), options));
                LOG.info("Replay of {} rejoined from snapshot {}", s.vm(), next.status().snapshot());
            } catch (RuntimeException e) {
                rejoinNotes.remove(s.vm());
                LOG.warn("Replay of {}: rejoin after a divergence failed: {}", s.vm(), e.getMessage());
            }
        });
    }

    /**
     * Where a rejoin starts: a fresh snapshot whenever one can be had, so the new replay need not catch up from the
     * newest periodic snapshot (up to the snapshotter's period, 5 min, of log). This host's snapshotter when the
     * recorder runs here (also behind a loopback or proxy "server"), else the server's session agent over the pager
     * (a JOIN snapshot, as a two-host session takes); else the newest snapshot in the server's catalog.
     */
    private ReplayOptions rejoinOptions(VmName vm, ReplayOptions options) {
        ReplayOptions rejoin = options.forRejoin();
        if (options.server().isEmpty()) {
            return rejoin; // forRejoin asks this host's snapshotter
        }
        SnapshotService local = snapshots;
        if (local != null && hypervisor.find(vm).isPresent()) {
            local.take(vm, SnapshotTrigger.JOIN, SnapshotProgress.NONE);
            return rejoin;
        }
        SessionControl control = sessionControl;
        if (control != null) {
            try (RemoteSessionAgent agent = control.connect(options.server().get().chunks())) {
                JoinSnapshot join = agent.takeJoinSnapshot(vm);
                LOG.info("Replay of {}: server {} took snapshot {} for the rejoin (the VM stalled {} ms)", vm,
                        describe(options.server().get().chunks()), join.tag(), join.stall().toMillis());
                return new ReplayOptions(options.server(), Optional.of(join.tag()), false, true);
            } catch (RuntimeException e) {
                LOG.warn("Replay of {}: no fresh snapshot from the server ({}); rejoining from its newest", vm,
                        e.getMessage());
            }
        }
        return rejoin;
    }

    /**
     * Tears a session's parts down, newest first: the replayer (so no QEMU is left reading a dead mount), the
     * subscription, the feeders and images, the helper (unmounts), the work folder. Every step runs even when an
     * earlier one fails. The replaying VM is deleted; its definition would only clutter the host.
     */
    private void release(ReplayClientSession s) {
        s.closeProbes();
        VirtualMachine r = s.replayerVm;
        if (r != null) {
            quietly("stop the replayer", () -> r.stop(REPLAYER_STOP_TIMEOUT));
            quietly("delete the replayer", () -> hypervisor.delete(r.name()));
        }
        if (s.subscription != null) {
            quietly("close the log stream", s.subscription::close);
        }
        for (ImageFeeder f : s.feeders) {
            quietly("stop an image feeder", f::close);
        }
        for (RemoteImage i : s.images) {
            quietly("close an image", i::close);
        }
        if (s.rdfuse != null) {
            quietly("stop the helper", s.rdfuse::close);
        }
        if (s.workDir() != null) {
            quietly("delete the work folder", () -> deleteTree(s.workDir()));
        }
    }

    private void quietly(String what, ThrowingRunnable step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("Replay teardown: cannot {}: {}", what, e.getMessage());
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public List<ReplaySession> sessions() {
        return sessions.values().stream().filter(s -> s.snapshot() != null)
                .sorted(Comparator.comparing(s -> s.vm().value())).map(s -> (ReplaySession) s).toList();
    }

    @Override
    public Optional<ReplaySession> find(VmName vm) {
        ReplayClientSession s = sessions.get(vm);
        return s == null || s.snapshot() == null ? Optional.empty() : Optional.of(s);
    }

    @Override
    public boolean stop(VmName vm) {
        ReplayClientSession s = sessions.get(vm);
        if (s == null || s.snapshot() == null) {
            return false;
        }
        sessions.remove(vm);
        s.stopped();
        release(s);
        LOG.info("Replay of {} stopped", vm);
        return true;
    }
}
