package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.BootSource;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QEMU hypervisor driver. Keeps VM definitions in one folder per VM under Karaf's data folder,
 * loads them at activation, and stops every QEMU process when it deactivates, so no process
 * outlives the bundle or the container. Processes left behind by a container that was killed are
 * found through their pid files and killed at the next activation.
 */
@Component(service = Hypervisor.class, configurationPid = QemuHypervisor.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, property = "hypervisor.type=qemu")
@Designate(ocd = QemuHypervisorConfig.class)
public class QemuHypervisor implements Hypervisor {
    static final String PID = "org.replaydesk.hypervisor.qemu";
    private static final Logger LOG = LoggerFactory.getLogger(QemuHypervisor.class);
    static final List<String> DEFAULT_WORKLOADS = List.of("anim", "video", "type", "idle", "net", "cpu");
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    private static final String EMPTY_DISK_SIZE = "64M";

    private final Map<VmName, QemuVirtualMachine> vms = new ConcurrentHashMap<>();
    private final List<VmEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, QemuVirtualMachine> vncPorts = new ConcurrentHashMap<>();
    private final Object definitionLock = new Object();
    private QemuSettings settings;
    private List<String> workloads = DEFAULT_WORKLOADS;
    private WorkloadFileServer fileServer;
    private RecordLogFlusher recordLogFlusher;

    /** The files a VM boots from, resolved and checked. */
    record BootFiles(Path kernel, Path initrd) {
    }

    @Activate
    void activate(QemuHypervisorConfig config) throws IOException {
        activate(QemuSettings.from(config));
    }

    void activate(QemuSettings resolved) throws IOException {
        this.settings = resolved;
        this.recordLogFlusher = new RecordLogFlusher(resolved.rrflushLibrary(), resolved.rrflushIntervalMs())
                .withReplayPacer(resolved.rrpaceLibrary(), resolved.rrpacePollCapUs());
        Files.createDirectories(settings.stateDir());
        Files.createDirectories(settings.socketDir());
        try {
            Files.setPosixFilePermissions(settings.socketDir(), PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debug("cannot restrict {}: {}", settings.socketDir(), e.getMessage());
        }
        workloads = readWorkloads(settings.guestDir());
        loadDefinitions();
        if (settings.netServerPort() > 0) {
            try {
                fileServer = new WorkloadFileServer(settings.netServerPort());
            } catch (IOException e) {
                LOG.warn("The 'net' workload's file server cannot listen on 127.0.0.1:{} ({}); 'net' guests will see no server",
                        settings.netServerPort(), e.getMessage());
            }
        }
        LOG.info("QEMU driver active: {} VM definitions in {}, demo guest in {}", vms.size(), settings.stateDir(),
                settings.guestDir());
    }

    @Deactivate
    void deactivate() {
        List<Thread> stoppers = new ArrayList<>();
        for (QemuVirtualMachine vm : vms.values()) {
            if (vm.state().hasProcess()) {
                Thread t = new Thread(() -> vm.shutdown(SHUTDOWN_TIMEOUT), "vm-shutdown-" + vm.name());
                t.start();
                stoppers.add(t);
            }
        }
        for (Thread t : stoppers) {
            try {
                t.join(SHUTDOWN_TIMEOUT.toMillis() + 15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fileServer != null) {
            fileServer.close();
        }
        vms.clear();
    }

    QemuSettings settings() {
        return settings;
    }

    RecordLogFlusher recordLogFlusher() {
        return recordLogFlusher;
    }

    int netServerPort() {
        return fileServer != null ? fileServer.port() : settings.netServerPort();
    }

    @Override
    public String type() {
        return "qemu";
    }

    @Override
    public List<String> workloads() {
        return workloads;
    }

    void checkWorkload(String workload) {
        if (!workloads.contains(workload)) {
            throw ReplayDeskException.invalid("Unknown workload '" + workload + "': choose one of " + String.join(", ", workloads));
        }
    }

    @Override
    public VirtualMachine create(VmSpec spec) {
        if (spec.boot().diskImage().isEmpty() && spec.boot().kernel().isEmpty()) {
            checkWorkload(spec.workload());
        }
        synchronized (definitionLock) {
            VmPaths paths = VmPaths.of(settings, spec.name());
            if (vms.containsKey(spec.name()) || Files.exists(paths.dir())) {
                throw ReplayDeskException.conflict("A VM named '" + spec.name() + "' already exists");
            }
            bootFiles(spec);
            try {
                Files.createDirectories(paths.dir());
                if (spec.mode() != RecordReplayMode.REPLAY) {
                    createDisk(spec, paths.disk());
                }
                writeDefinition(spec, paths);
            } catch (IOException | RuntimeException e) {
                deleteTree(paths.dir());
                if (e instanceof ReplayDeskException rde) {
                    throw rde;
                }
                throw ReplayDeskException.failed("Cannot create VM '" + spec.name() + "': " + e.getMessage(), e);
            }
            QemuVirtualMachine vm = new QemuVirtualMachine(this, spec, paths);
            vms.put(spec.name(), vm);
            LOG.info("VM {} defined ({} MiB, workload {}, {})", spec.name(), spec.memoryMb(), spec.workload(), spec.mode());
            fire(spec.name(), VmState.STOPPED, VmState.STOPPED, "defined");
            return vm;
        }
    }

    @Override
    public VirtualMachine createReplayOf(VmName recorderName, VmName replayerName, Optional<SnapshotTag> snapshot) {
        QemuVirtualMachine recorder = (QemuVirtualMachine) get(recorderName);
        if (recorder.spec().mode() != RecordReplayMode.RECORD) {
            throw ReplayDeskException.invalid("VM '" + recorderName + "' does not record, so it cannot be replayed");
        }
        if (!Files.exists(recorder.recordLog())) {
            throw ReplayDeskException.unavailable("VM '" + recorderName + "' has no record log yet: start it first");
        }
        if (snapshot.isEmpty() && recorder.state().hasProcess()) {
            throw ReplayDeskException.conflict("VM '" + recorderName
                    + "' is still recording: stop it first, or replay from one of its snapshots");
        }
        synchronized (definitionLock) {
            VmPaths paths = VmPaths.of(settings, replayerName);
            if (vms.containsKey(replayerName) || Files.exists(paths.dir())) {
                throw ReplayDeskException.conflict("A VM named '" + replayerName + "' already exists");
            }
            Optional<Path> recorderMemory = snapshot.flatMap(recorder::snapshotMemory);
            Optional<Path> memory = recorderMemory.map(m -> paths.snapshotMemory(snapshot.orElseThrow().value()));
            VmSpec spec = recorder.spec().toBuilder().name(replayerName)
                    .replay(new ReplaySource(recorder.recordLog(), paths.disk(), snapshot, memory)).build();
            try {
                Files.createDirectories(paths.dir());
                if (recorderMemory.isPresent()) {
                    // A link, not a copy: the file is never written (the replayer maps it privately) and it must
                    // outlive the recorder deleting its snapshot.
                    try {
                        Files.createLink(memory.orElseThrow(), recorderMemory.get());
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(recorderMemory.get(), memory.orElseThrow());
                    }
                }
                if (snapshot.isPresent()) {
                    // The recorder's image holds the snapshot (vmstate and disk state); loadvm
                    // reverts the disk to it, so later writes by the recorder do no harm.
                    Files.copy(recorder.diskImage(), paths.disk(), StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    // From power-on the replayer needs the disk exactly as the recorder first saw it.
                    createDisk(recorder.spec(), paths.disk());
                }
                writeDefinition(spec, paths);
            } catch (IOException | RuntimeException e) {
                deleteTree(paths.dir());
                if (e instanceof ReplayDeskException rde) {
                    throw rde;
                }
                throw ReplayDeskException.failed("Cannot create replayer '" + replayerName + "': " + e.getMessage(), e);
            }
            QemuVirtualMachine vm = new QemuVirtualMachine(this, spec, paths);
            vms.put(replayerName, vm);
            fire(replayerName, VmState.STOPPED, VmState.STOPPED, "defined as replay of " + recorderName);
            return vm;
        }
    }

    @Override
    public Optional<VirtualMachine> find(VmName name) {
        return Optional.ofNullable(vms.get(name));
    }

    @Override
    public VirtualMachine get(VmName name) {
        VirtualMachine vm = vms.get(name);
        if (vm == null) {
            throw ReplayDeskException.notFound("No VM named '" + name + "'");
        }
        return vm;
    }

    @Override
    public List<VirtualMachine> list() {
        List<VirtualMachine> all = new ArrayList<>(vms.values());
        all.sort(Comparator.comparing(VirtualMachine::name));
        return all;
    }

    @Override
    public void delete(VmName name) {
        synchronized (definitionLock) {
            QemuVirtualMachine vm = (QemuVirtualMachine) get(name);
            if (vm.state().hasProcess()) {
                throw ReplayDeskException.conflict("VM '" + name + "' is running (state " + vm.state() + "): stop it first");
            }
            vms.remove(name);
            deleteTree(vm.paths().dir());
            deleteTree(vm.paths().socketDir());
            LOG.info("VM {} deleted", name);
        }
    }

    @Override
    public void addListener(VmEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(VmEventListener listener) {
        listeners.remove(listener);
    }

    /**
     * EventAdmin is optional: without it listeners still hear about every change. Dynamic and
     * greedy so installing or restarting EventAdmin never restarts the driver (and its VMs).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;

    void fire(VmName name, VmState from, VmState to, String reason) {
        VmEvent event = new VmEvent(name, from, to, reason, Instant.now());
        EventAdmin events = eventAdmin;
        if (events != null) {
            events.postEvent(new Event(VmEvent.TOPIC_PREFIX + to.name(), Map.of("vm", name.value(), "oldState", from.name(),
                    "newState", to.name(), "reason", reason, "timestamp", event.time().toEpochMilli())));
        }
        for (VmEventListener l : listeners) {
            try {
                l.vmChanged(event);
            } catch (RuntimeException e) {
                LOG.warn("VM event listener {} failed: {}", l, e.toString());
            }
        }
    }

    /** Resolves and checks what a spec boots; UNAVAILABLE with the missing path when a file is absent. */
    BootFiles bootFiles(VmSpec spec) {
        BootSource boot = spec.boot();
        if (boot.diskImage().isPresent()) {
            requireFile(boot.diskImage().get(), "Disk image");
            return new BootFiles(null, null);
        }
        Path kernel = boot.kernel().orElse(settings.guestDir().resolve("vmlinuz"));
        Path initrd = boot.kernel().isPresent() ? boot.initrd().orElse(null) : settings.guestDir().resolve("initrd.gz");
        if (boot.kernel().isEmpty() && !Files.isRegularFile(kernel)) {
            throw ReplayDeskException.unavailable("The demo guest is missing: no kernel at " + kernel
                    + ". Build it with 'mvn -pl native-hooks package' (or rerun the setup command), or set guest.dir in "
                    + PID + ".cfg");
        }
        requireFile(kernel, "Kernel");
        if (initrd != null) {
            requireFile(initrd, "Initrd");
        }
        return new BootFiles(kernel, initrd);
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw ReplayDeskException.unavailable(what + " " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw ReplayDeskException.unavailable(what + " " + file + " is not readable");
        }
    }

    /** The QEMU binary as an absolute path; UNAVAILABLE with the apt line when it is missing. */
    String resolveQemu() {
        return resolveBinary(settings.qemuBinary(), "qemu-system-x86");
    }

    private String resolveBinary(String binary, String debianPackage) {
        Path found = null;
        if (binary.contains("/")) {
            found = Files.isExecutable(Path.of(binary)) ? Path.of(binary) : null;
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
                if (Files.isExecutable(candidate)) {
                    found = candidate;
                    break;
                }
            }
        }
        if (found == null) {
            throw ReplayDeskException.unavailable("QEMU is not installed: '" + binary + "' was not found"
                    + (binary.contains("/") ? "" : " on PATH") + ". Install it with: apt-get install " + debianPackage);
        }
        return found.toAbsolutePath().toString();
    }

    private void createDisk(VmSpec spec, Path disk) throws IOException {
        String qemuImg = resolveBinary(settings.qemuImgBinary(), "qemu-utils");
        List<String> cmd = new ArrayList<>(List.of(qemuImg, "create", "-q", "-f", "qcow2"));
        Optional<Path> backing = spec.boot().diskImage();
        if (backing.isEmpty() && spec.boot().kernel().isEmpty()) {
            Path video = settings.guestDir().resolve("video.raw");
            backing = Files.isRegularFile(video) ? Optional.of(video) : Optional.empty();
        }
        if (backing.isPresent()) {
            Path base = backing.get().toAbsolutePath();
            // The VM writes only to its own overlay; the base stays pristine for every replay.
            cmd.addAll(List.of("-b", base.toString(), "-F", base.toString().endsWith(".qcow2") ? "qcow2" : "raw", disk.toString()));
        } else {
            // A small empty disk still gives savevm a qcow2 to keep snapshots in.
            cmd.addAll(List.of(disk.toString(), EMPTY_DISK_SIZE));
        }
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
    }

    private void writeDefinition(VmSpec spec, VmPaths paths) throws IOException {
        Path tmp = paths.definition().resolveSibling("vm.json.tmp");
        Files.write(tmp, VmDefinitionCodec.encode(spec));
        Files.move(tmp, paths.definition(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void loadDefinitions() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.stateDir(), Files::isDirectory)) {
            for (Path dir : dirs) {
                Path definition = dir.resolve("vm.json");
                if (!Files.isRegularFile(definition)) {
                    continue;
                }
                try {
                    VmSpec spec = VmDefinitionCodec.decode(Files.readAllBytes(definition), definition);
                    VmPaths paths = VmPaths.of(settings, spec.name());
                    if (!paths.dir().equals(dir)) {
                        LOG.warn("Skipping {}: it names VM '{}' but lives in {}", definition, spec.name(), dir);
                        continue;
                    }
                    killLeftover(paths);
                    vms.put(spec.name(), new QemuVirtualMachine(this, spec, paths));
                } catch (ReplayDeskException e) {
                    LOG.error("{}", e.getMessage());
                }
            }
        }
    }

    /**
     * A QEMU left running by a container that was killed (no deactivation) still holds the VM's
     * disk and sockets. Its pid file names it; kill it only if its command line points at this
     * VM's pid file, so a reused pid of another program is never touched.
     */
    private void killLeftover(VmPaths paths) {
        Path pidFile = paths.pidFile();
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isPresent()) {
                byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
                String args = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ');
                if (args.contains(pidFile.toString())) {
                    LOG.warn("Killing leftover QEMU pid {} of VM in {}", pid, paths.dir());
                    handle.get().destroyForcibly();
                    handle.get().onExit().get(10, TimeUnit.SECONDS);
                }
            }
            Files.deleteIfExists(pidFile);
        } catch (Exception e) {
            LOG.debug("leftover check for {}: {}", pidFile, e.toString());
        }
    }

    /** Picks a free loopback port for a VM's own VNC server, or 0 when TCP VNC is off. */
    int allocateVncPort(QemuVirtualMachine vm) {
        int base = settings.vncLoopbackPortBase();
        if (base <= 0) {
            return 0;
        }
        releaseVncPort(vm);
        for (int port = base; port < base + 100; port++) {
            if (vncPorts.putIfAbsent(port, vm) == null) {
                if (portFree(port)) {
                    return port;
                }
                vncPorts.remove(port, vm);
            }
        }
        throw ReplayDeskException.unavailable("No free loopback port for VNC in " + base + "-" + (base + 99));
    }

    void releaseVncPort(QemuVirtualMachine vm) {
        vncPorts.values().removeIf(v -> v == vm);
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> readWorkloads(Path guestDir) {
        Path props = guestDir.resolve("guest.properties");
        if (Files.isRegularFile(props)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(props)) {
                p.load(in);
                String list = p.getProperty("workloads", "").strip();
                if (!list.isEmpty()) {
                    return List.of(list.split("[,\\s]+"));
                }
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}", props, e.getMessage());
            }
        }
        return DEFAULT_WORKLOADS;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }
}
