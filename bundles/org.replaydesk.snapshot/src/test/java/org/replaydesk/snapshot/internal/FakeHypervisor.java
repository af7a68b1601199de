package org.replaydesk.snapshot.internal;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.SnapshotResult;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;

/**
 * A stand-in driver (only the calls the snapshotter makes) whose VMs have real qcow2 disks over a raw base: a
 * "savevm" is {@code qemu-img snapshot -c}, so the snapshotter exports, lists and deletes real internal snapshots.
 * The real driver with a recording QEMU is exercised by {@link QemuSnapshotTest}.
 */
final class FakeHypervisor {

    final class Vm {
        final VmName name;
        final VmSpec spec;
        final Path disk;
        volatile VmState state = VmState.RUNNING;
        volatile boolean ready = true;
        /** What snapshotMemory answers for every tag; null: the vmstate holds RAM. */
        volatile Path memoryImage;
        final AtomicLong icount = new AtomicLong(1_000_000);
        final AtomicLong logBytes = new AtomicLong(4);
        final List<String> calls = new CopyOnWriteArrayList<>();

        Vm(String name, RecordReplayMode mode, Path disk) {
            this.name = VmName.of(name);
            this.spec = VmSpec.builder(this.name).mode(mode).build();
            this.disk = disk;
        }

        VirtualMachine proxy() {
            return (VirtualMachine) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {VirtualMachine.class}, (p, method, args) -> switch (method.getName()) {
                        case "name" -> name;
                        case "spec" -> spec;
                        case "state" -> state;
                        case "diskImage" -> disk;
                        case "status" -> new VmStatus(name, state, spec.mode(), OptionalLong.of(icount.get()),
                                logBytes.get(), Duration.ZERO, "anim", Optional.empty(), Optional.empty());
                        case "awaitGuestReady" -> ready && state == VmState.RUNNING;
                        case "snapshotMemory" -> Optional.ofNullable(memoryImage);
                        case "snapshot" -> snapshot((SnapshotTag) args[0]);
                        case "deleteSnapshot" -> {
                            calls.add("delete " + args[0]);
                            if (tagsInImage().contains(args[0].toString())) { // unknown tags: a no-op, as in the API
                                qemuImg("snapshot", "-d", args[0].toString(), disk.toString());
                            }
                            yield null;
                        }
                        case "toString" -> "fake " + name;
                        case "hashCode" -> name.hashCode();
                        case "equals" -> p == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private SnapshotResult snapshot(SnapshotTag tag) {
            if (!state.hasProcess()) {
                throw ReplayDeskException.conflict("VM '" + name + "' is not running");
            }
            calls.add("save " + tag);
            // what a guest does between snapshots: the log grows, the icount rises
            logBytes.addAndGet(1000);
            icount.addAndGet(5_000_000);
            qemuImg("snapshot", "-c", tag.value(), disk.toString());
            return new SnapshotResult(tag, icount.get(), Duration.ofMillis(7), 1, Duration.ofMillis(9));
        }

        void fire(VmState to) {
            VmState from = state;
            state = to;
            VmEvent event = new VmEvent(name, from, to, "test", Instant.now());
            listeners.forEach(l -> l.vmChanged(event));
        }

        /** @return the snapshot tags qemu-img lists in the disk */
        List<String> tagsInImage() {
            String out = qemuImg("snapshot", "-l", disk.toString());
            List<String> tags = new ArrayList<>();
            for (String line : out.split("\n")) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 2 && cols[0].matches("\\d+")) {
                    tags.add(cols[1]);
                }
            }
            return tags;
        }
    }

    final Map<VmName, Vm> vms = new ConcurrentHashMap<>();
    final List<VmEventListener> listeners = new CopyOnWriteArrayList<>();
    final Path dir;
    final Path base;

    FakeHypervisor(Path dir) throws IOException {
        this.dir = dir;
        this.base = dir.resolve("base.raw");
        byte[] content = new byte[512 * 1024];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 4096);
        }
        Files.write(base, content);
    }

    Vm add(String name, RecordReplayMode mode) {
        Path disk = dir.resolve(name + ".qcow2");
        qemuImg("create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "raw", disk.toString());
        Vm vm = new Vm(name, mode, disk);
        vms.put(vm.name, vm);
        return vm;
    }

    Hypervisor proxy() {
        return (Hypervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hypervisor.class},
                (p, method, args) -> switch (method.getName()) {
                    case "list" -> vms.values().stream().map(Vm::proxy).toList();
                    case "find" -> Optional.ofNullable(vms.get(args[0])).map(Vm::proxy);
                    case "get" -> Optional.ofNullable(vms.get(args[0])).map(Vm::proxy).orElseThrow(
                            () -> ReplayDeskException.notFound("VM '" + args[0] + "' does not exist"));
                    case "addListener" -> listeners.add((VmEventListener) args[0]);
                    case "removeListener" -> listeners.remove(args[0]);
                    case "toString" -> "fake hypervisor";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static String qemuImg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run qemu-img (install Debian's qemu-utils; scripts/packages.sh does it): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
