package org.replaydesk.snapshot.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.SnapshotResult;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ChunkStore;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;
import org.replaydesk.snapshot.BackingImage;
import org.replaydesk.snapshot.RecorderSpec;
import org.replaydesk.snapshot.SnapshotCatalog;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotPhase;
import org.replaydesk.snapshot.SnapshotProgress;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshotter of this host: snapshots the hypervisor's recording VMs ({@code savevm} while QEMU records),
 * exports each snapshot's image and its base into the pager's chunk store, and publishes a {@link SnapshotCatalog}
 * per VM there, keeping the newest {@code keep} snapshots. Configuration PID {@code org.replaydesk.snapshot}; a
 * change restarts the component, which reloads the catalogs from the store.
 *
 * <p>Threads: VM events arrive on a driver thread that must not block, so they are handled on one events thread
 * (which keeps each VM's events in order); BOOT waits (up to minutes) and snapshots run on a worker pool; a timer
 * thread starts PERIODIC snapshots. Each VM has a lock: one snapshot (or catalog change) per VM at a time.
 */
@Component(service = SnapshotService.class, configurationPid = "org.replaydesk.snapshot", immediate = true)
@Designate(ocd = SnapshotConfiguration.class)
public class SnapshotterService implements SnapshotService, VmEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotterService.class);

    /** Tags this service gives: {@code rd-1}, {@code rd-2}, ... per VM. */
    private static final Pattern TAG = Pattern.compile("rd-(\\d{1,9})");

    /** What this service knows of one VM. */
    private static final class VmSnapshots {
        /** One snapshot or catalog change at a time; reentrant so the timer can tryLock and then take. */
        final ReentrantLock lock = new ReentrantLock();
        /** The published catalog, null before the first one. Written under the lock. */
        volatile SnapshotCatalog catalog;
        /** Highest tag number given, so numbers keep rising after older snapshots were dropped. Under the lock. */
        int lastNumber;
        /** Tags of an earlier recording still in the VM's image, deleted once the VM runs again. Under the lock. */
        final Set<SnapshotTag> staleTags = new HashSet<>();
        /** Counts the VM's starts, so a BOOT wait left over from an earlier run does not snapshot this one. */
        volatile int run;
    }

    private final Hypervisor hypervisor;
    private final ChunkStore store;
    private final SnapshotSettings settings;
    private final BackingFiles backingFiles;
    private final Map<VmName, VmSnapshots> vms = new ConcurrentHashMap<>();
    private final ExecutorService events;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;

    /**
     * Checks the configuration (failing activation with a message naming the key), loads the catalogs the store
     * holds, and starts following the hypervisor's VMs.
     *
     * @param hypervisor the driver whose recording VMs are snapshotted
     * @param store the chunk store snapshot images and catalogs go to
     * @param config the configuration
     */
    @Activate
    public SnapshotterService(@Reference(name = "hypervisor") Hypervisor hypervisor,
            @Reference(name = "store") ChunkStore store,
            SnapshotConfiguration config) {
        this(hypervisor, store, SnapshotSettings.of(config));
    }

    SnapshotterService(Hypervisor hypervisor, ChunkStore store, SnapshotSettings settings) {
        this.hypervisor = hypervisor;
        this.store = store;
        this.settings = settings;
        this.backingFiles = new BackingFiles(settings.qemuImg());
        events = Executors.newSingleThreadExecutor(daemon("snapshot-events"));
        workers = Executors.newCachedThreadPool(daemon("snapshot-worker"));
        timer = Executors.newSingleThreadScheduledExecutor(daemon("snapshot-timer"));
        loadCatalogs();
        hypervisor.addListener(this);
        events.execute(this::snapshotRunningRecorders);
        if (!settings.period().isZero()) {
            long seconds = settings.period().toSeconds();
            timer.scheduleWithFixedDelay(this::periodic, seconds, seconds, TimeUnit.SECONDS);
        }
        LOG.info("snapshotter started: boot snapshots {}, period {}, keep {}, {} catalogs loaded",
                settings.bootSnapshot() ? "on" : "off", settings.period().isZero() ? "off" : settings.period(),
                settings.keep(), vms.size());
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Deactivate
    void deactivate() {
        hypervisor.removeListener(this);
        timer.shutdownNow();
        events.shutdownNow();
        workers.shutdownNow();
    }

    // ---- catalogs in the store

    /** A container restart must not lose the list: the catalogs are in the store already. */
    private void loadCatalogs() {
        for (String id : store.imageIds()) {
            if (!id.endsWith(".snapshots")) {
                continue;
            }
            try {
                Manifest manifest = store.manifest(id).orElseThrow();
                SnapshotCatalog catalog = SnapshotCatalog.fromJson(readImage(store, manifest, SnapshotCatalog.MAX_BYTES));
                if (!SnapshotCatalog.imageId(catalog.vm()).equals(id)) {
                    throw ReplayDeskException.invalid("it holds the catalog of VM " + catalog.vm());
                }
                VmSnapshots s = state(catalog.vm());
                s.catalog = catalog;
                s.lastNumber = highestNumber(catalog);
            } catch (RuntimeException e) {
                LOG.warn("snapshot catalog {} in the chunk store is ignored: {}", id, e.getMessage());
            }
        }
    }

    /**
     * Reassembles an image from the store's chunks.
     *
     * @param store the store
     * @param manifest the image
     * @param maxBytes the largest image accepted (it is read into memory)
     * @return its bytes
     */
    static byte[] readImage(ChunkStore store, Manifest manifest, int maxBytes) {
        if (manifest.imageSize() > maxBytes) {
            throw ReplayDeskException.invalid("image " + manifest.imageId() + " has " + manifest.imageSize()
                    + " bytes, more than " + maxBytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) manifest.imageSize());
        for (ChunkHash hash : manifest.chunks()) {
            byte[] chunk = store.chunk(hash).orElseThrow(() -> ReplayDeskException.failed("chunk " + hash
                    + " of image " + manifest.imageId() + " is missing from the store", null));
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    private static int highestNumber(SnapshotCatalog catalog) {
        int highest = 0;
        for (SnapshotInfo s : catalog.snapshots()) {
            Matcher m = TAG.matcher(s.tag().value());
            if (m.matches()) {
                highest = Math.max(highest, Integer.parseInt(m.group(1)));
            }
        }
        return highest;
    }

    private VmSnapshots state(VmName vm) {
        return vms.computeIfAbsent(vm, v -> new VmSnapshots());
    }

    /** Under the VM's lock: writes the catalog into the store, then makes it the current one. */
    private void publish(VmSnapshots s, SnapshotCatalog catalog) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("rd-catalog-", ".json");
            Files.write(tmp, catalog.toJson());
            store.importImage(SnapshotCatalog.imageId(catalog.vm()), tmp, ImportProgress.NONE);
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot write the snapshot catalog of " + catalog.vm()
                    + " to a temporary file: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.debug("temporary catalog {} not deleted: {}", tmp, e.toString());
                }
            }
        }
        s.catalog = catalog;
    }

    // ---- SnapshotService

    @Override
    public SnapshotInfo take(VmName vm, SnapshotTrigger trigger, SnapshotProgress progress) {
        VirtualMachine machine = hypervisor.get(vm);
        if (machine.spec().mode() != RecordReplayMode.RECORD) {
            throw ReplayDeskException.invalid("VM '" + vm + "' does not record (mode " + machine.spec().mode()
                    + "): only a recording VM's snapshots can be replayed");
        }
        VmSnapshots s = state(vm);
        s.lock.lock();
        try {
            VmState state = machine.state();
            if (state != VmState.RUNNING && state != VmState.PAUSED) {
                throw ReplayDeskException.conflict("VM '" + vm + "' is " + state + ": start it before taking a "
                        + "snapshot");
            }
            return takeLocked(machine, s, trigger, progress);
        } finally {
            s.lock.unlock();
        }
    }

    private SnapshotInfo takeLocked(VirtualMachine machine, VmSnapshots s, SnapshotTrigger trigger,
            SnapshotProgress progress) {
        VmName vm = machine.name();
        RecorderSpec recorder = RecorderSpec.of(machine.spec());
        SnapshotCatalog old = s.catalog != null ? s.catalog : new SnapshotCatalog(vm, recorder, List.of());
        int number = Math.max(s.lastNumber, highestNumber(old)) + 1;
        s.lastNumber = number;
        SnapshotTag tag = SnapshotTag.of("rd-" + number);
        String imageId = vm.value() + "-" + tag.value();
        Manifest.checkImageId(imageId);

        SnapshotPhase phase = SnapshotPhase.SAVE;
        boolean saved = false;
        long start = System.nanoTime();
        try {
            progress.progress(phase, 0, 0);
            // Read before savevm: QEMU stores its position at savevm, which is at or past the size seen now.
            long logOffset = machine.status().logBytes();
            SnapshotResult result = machine.snapshot(tag);
            saved = true;
            Instant takenAt = Instant.now();
            LOG.info("VM {}: {} snapshot {} saved at icount {}, log offset {}: stall {} ms ({} attempts)", vm, trigger,
                    tag, result.icount(), logOffset, result.stall().toMillis(), result.attempts());

            phase = SnapshotPhase.EXPORT_IMAGE;
            Path disk = machine.diskImage();
            long exportStart = System.nanoTime();
            long[] stored = new long[1];
            SnapshotPhase exporting = phase;
            progress.progress(phase, 0, 0);
            Manifest image = store.importImage(imageId, disk, (done, total, newBytes) -> {
                stored[0] = newBytes;
                progress.progress(exporting, done, total);
            });
            LOG.info("VM {}: snapshot {} image exported as {}: {} bytes, {} newly stored, {} ms", vm, tag, imageId,
                    image.imageSize(), stored[0], millisSince(exportStart));

            Optional<String> memoryImageId = Optional.empty();
            Optional<Path> memory = machine.snapshotMemory(tag);
            if (memory.isPresent()) {
                String id = imageId + "-ram";
                long memoryStart = System.nanoTime();
                Manifest ram = store.importImage(id, memory.get(), (done, total, newBytes) -> {
                    stored[0] = newBytes;
                    progress.progress(exporting, done, total);
                });
                memoryImageId = Optional.of(id);
                LOG.info("VM {}: snapshot {} memory exported as {}: {} bytes, {} newly stored, {} ms", vm, tag, id,
                        ram.imageSize(), stored[0], millisSince(memoryStart));
            }

            phase = SnapshotPhase.EXPORT_BASE;
            progress.progress(phase, 0, 0);
            Optional<BackingImage> backing = exportBase(vm, disk, progress);

            phase = SnapshotPhase.PUBLISH;
            progress.progress(phase, 0, 0);
            SnapshotInfo info = new SnapshotInfo(vm, tag, trigger, takenAt, result.icount(), logOffset,
                    result.stall(), imageId, image.imageSize(), backing, memoryImageId);
            List<SnapshotInfo> all = new ArrayList<>(old.snapshots());
            all.add(info);
            int drop = Math.max(0, all.size() - settings.keep());
            List<SnapshotInfo> dropped = new ArrayList<>(all.subList(0, drop));
            // The catalog goes first: no client is sent to a snapshot that is about to disappear.
            publish(s, new SnapshotCatalog(vm, recorder, all.subList(drop, all.size())));
            for (SnapshotInfo d : dropped) {
                deleteEverywhere(machine, d);
            }
            progress.progress(phase, 1, 1);
            LOG.info("VM {}: snapshot {} published in {} ms in all; {} kept{}", vm, tag, millisSince(start),
                    all.size() - drop, dropped.isEmpty() ? "" : ", dropped " + dropped.stream().map(d -> d.tag()
                            .value()).toList());
            return info;
        } catch (RuntimeException e) {
            if (saved) {
                // Leave nothing behind that no catalog names.
                quietly(() -> machine.deleteSnapshot(tag), "delete the failed snapshot " + tag + " of " + vm);
                quietly(() -> store.removeImage(imageId), "remove the image " + imageId);
                quietly(() -> store.removeImage(imageId + "-ram"), "remove the image " + imageId + "-ram");
            }
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.warn("VM {}: {} snapshot {} failed at {}: {}", vm, trigger, tag, phase, why);
            throw ReplayDeskException.failed("snapshot " + tag + " of VM '" + vm + "' failed at " + phase + ": "
                    + why, e);
        }
    }

    /** Exports the image's backing file once per content; later snapshots find it in the store. */
    private Optional<BackingImage> exportBase(VmName vm, Path disk, SnapshotProgress progress) {
        Optional<BackingFiles.Backing> found = backingFiles.backingOf(disk);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BackingFiles.Backing base = found.get();
        long start = System.nanoTime();
        String id = backingFiles.imageId(base.file());
        BackingImage backing = new BackingImage(id, base.format());
        if (store.manifest(id).isPresent()) {
            progress.progress(SnapshotPhase.EXPORT_BASE, 1, 1);
            return Optional.of(backing);
        }
        long[] stored = new long[1];
        Manifest m = store.importImage(id, base.file(), (done, total, newBytes) -> {
            stored[0] = newBytes;
            progress.progress(SnapshotPhase.EXPORT_BASE, done, total);
        });
        LOG.info("VM {}: base {} exported as {}: {} bytes, {} newly stored, {} ms (hash included)", vm, base.file(),
                id, m.imageSize(), stored[0], millisSince(start));
        return Optional.of(backing);
    }

    /** Deletes a snapshot from the VM's image (when it has a process) and its image from the store. */
    private void deleteEverywhere(VirtualMachine machine, SnapshotInfo snapshot) {
        if (machine != null && machine.state().hasProcess()) {
            quietly(() -> machine.deleteSnapshot(snapshot.tag()), "delete snapshot " + snapshot.tag() + " from "
                    + snapshot.vm() + "'s image");
        } else {
            state(snapshot.vm()).staleTags.add(snapshot.tag());
        }
        quietly(() -> store.removeImage(snapshot.imageId()), "remove image " + snapshot.imageId()
                + " from the chunk store");
        snapshot.memoryImageId().ifPresent(id -> quietly(() -> store.removeImage(id), "remove image " + id
                + " from the chunk store"));
    }

    private static void quietly(Runnable action, String what) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("could not {}: {}", what, e.getMessage());
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    @Override
    public List<SnapshotInfo> list(VmName vm) {
        VmSnapshots s = vms.get(vm);
        SnapshotCatalog c = s == null ? null : s.catalog;
        return c == null ? List.of() : c.snapshots();
    }

    @Override
    public boolean delete(VmName vm, SnapshotTag tag) {
        VmSnapshots s = vms.get(vm);
        if (s == null) {
            return false;
        }
        s.lock.lock();
        try {
            SnapshotCatalog c = s.catalog;
            Optional<SnapshotInfo> found = c == null ? Optional.empty() : c.find(tag);
            if (found.isEmpty()) {
                return false;
            }
            List<SnapshotInfo> rest = new ArrayList<>(c.snapshots());
            rest.remove(found.get());
            publish(s, new SnapshotCatalog(vm, c.recorder(), rest));
            deleteEverywhere(hypervisor.find(vm).orElse(null), found.get());
            LOG.info("VM {}: snapshot {} deleted", vm, tag);
            return true;
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public List<VmName> vms() {
        return vms.entrySet().stream()
                .filter(e -> e.getValue().catalog != null && !e.getValue().catalog.snapshots().isEmpty())
                .map(Map.Entry::getKey).sorted().toList();
    }

    // ---- automatic snapshots

    @Override
    public void vmChanged(VmEvent event) {
        VmState to = event.newState();
        if (to == VmState.STARTING) {
            state(event.vm()).run++; // only the events thread of the driver writes it
            events.execute(() -> newRecording(event.vm(), false));
        } else if (to == VmState.RUNNING && event.oldState() != VmState.PAUSED) {
            // a resumed VM goes on with the same recording; anything else reaching RUNNING records anew
            events.execute(() -> {
                newRecording(event.vm(), true);
                scheduleBootSnapshot(event.vm());
            });
        }
    }

    /**
     * Events thread. A new run records a new log: the snapshots of the previous one cannot be replayed with it.
     * Their images leave the store and an empty catalog is published at once (so no client starts from them); their
     * tags leave the VM's image once it runs ({@code delvm} needs the process).
     */
    private void newRecording(VmName vm, boolean running) {
        VirtualMachine machine = hypervisor.find(vm).orElse(null);
        if (machine == null || machine.spec().mode() != RecordReplayMode.RECORD) {
            return;
        }
        VmSnapshots s = state(vm);
        s.lock.lock();
        try {
            SnapshotCatalog old = s.catalog;
            if (old != null && !old.snapshots().isEmpty()) {
                publish(s, new SnapshotCatalog(vm, RecorderSpec.of(machine.spec()), List.of()));
                for (SnapshotInfo d : old.snapshots()) {
                    s.staleTags.add(d.tag());
                    quietly(() -> store.removeImage(d.imageId()), "remove image " + d.imageId());
                }
                LOG.info("VM {} records anew: snapshots {} of its previous recording dropped", vm,
                        old.snapshots().stream().map(d -> d.tag().value()).toList());
            }
            if (running && !s.staleTags.isEmpty()) {
                for (SnapshotTag tag : List.copyOf(s.staleTags)) {
                    quietly(() -> machine.deleteSnapshot(tag), "delete stale snapshot " + tag + " of " + vm);
                    s.staleTags.remove(tag);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("VM {}: dropping the previous recording's snapshots failed: {}", vm, e.getMessage());
        } finally {
            s.lock.unlock();
        }
    }

    /** Worker thread: waits for the guest to finish booting (a replay must not start mid-boot), then snapshots. */
    private void scheduleBootSnapshot(VmName vm) {
        if (!settings.bootSnapshot()) {
            return;
        }
        VmSnapshots s = state(vm);
        int run = s.run;
        workers.execute(() -> {
            VirtualMachine machine = hypervisor.find(vm).orElse(null);
            if (machine == null || machine.spec().mode() != RecordReplayMode.RECORD) {
                return;
            }
            if (!machine.awaitGuestReady(settings.readyTimeout())) {
                if (machine.state() == VmState.RUNNING) {
                    LOG.warn("VM {}: the guest did not report ready within {} s: no BOOT snapshot", vm,
                            settings.readyTimeout().toSeconds());
                }
                return;
            }
            if (s.run != run) {
                return; // the VM was restarted meanwhile: that run's own BOOT wait takes its snapshot
            }
            try {
                take(vm, SnapshotTrigger.BOOT, logged(vm, SnapshotTrigger.BOOT));
            } catch (RuntimeException e) {
                LOG.warn("VM {}: BOOT snapshot not taken: {}", vm, e.getMessage());
            }
        });
    }

    /** Events thread, at activation: recorders already running without a snapshot get their BOOT snapshot. */
    private void snapshotRunningRecorders() {
        for (VirtualMachine machine : hypervisor.list()) {
            if (machine.spec().mode() == RecordReplayMode.RECORD && machine.state() == VmState.RUNNING
                    && list(machine.name()).isEmpty()) {
                scheduleBootSnapshot(machine.name());
            }
        }
    }

    /** Timer thread: a PERIODIC snapshot of each running, booted recorder that is not being snapshotted already. */
    private void periodic() {
        try {
            for (VirtualMachine machine : hypervisor.list()) {
                if (machine.spec().mode() != RecordReplayMode.RECORD || machine.state() != VmState.RUNNING
                        || !machine.awaitGuestReady(Duration.ZERO)) {
                    continue;
                }
                VmName vm = machine.name();
                workers.execute(() -> {
                    VmSnapshots s = state(vm);
                    if (!s.lock.tryLock()) {
                        return; // one is being taken right now: that is as fresh as a periodic one
                    }
                    try {
                        take(vm, SnapshotTrigger.PERIODIC, logged(vm, SnapshotTrigger.PERIODIC));
                    } catch (RuntimeException e) {
                        LOG.warn("VM {}: PERIODIC snapshot not taken: {}", vm, e.getMessage());
                    } finally {
                        s.lock.unlock();
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("periodic snapshots skipped this round: {}", e.getMessage());
        }
    }

    /** Progress of an automatic snapshot: each phase's start at DEBUG (the phases' results are logged at INFO). */
    private static SnapshotProgress logged(VmName vm, SnapshotTrigger trigger) {
        return (phase, done, total) -> {
            if (done == 0 && total == 0) {
                LOG.debug("VM {}: {} snapshot: {}", vm, trigger, phase);
            }
        };
    }
}
