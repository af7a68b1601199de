package org.replaydesk.hypervisor.qemu.internal;

import java.nio.file.Path;

import org.replaydesk.api.VmName;

/**
 * Where one VM's files live. The definition, disk and logs go in the persistent state folder;
 * sockets go in the short socket folder.
 */
record VmPaths(Path dir, Path socketDir) {

    static VmPaths of(QemuSettings settings, VmName name) {
        return new VmPaths(settings.stateDir().resolve(name.value()), settings.socketDir().resolve(name.value()));
    }

    Path definition() {
        return dir.resolve("vm.json");
    }

    Path disk() {
        return dir.resolve("disk.qcow2");
    }

    Path recordLog() {
        return dir.resolve("record.log");
    }

    Path serialLog() {
        return dir.resolve("serial.log");
    }

    Path stderrLog() {
        return dir.resolve("qemu.stderr");
    }

    Path pidFile() {
        return dir.resolve("qemu.pid");
    }

    /** Bytes a recorder's user-mode network received and sent, kept by librrflush (two little-endian uint64). */
    Path netCounters() {
        return dir.resolve("net.counters");
    }

    Path commandLineFile() {
        return dir.resolve("qemu.cmdline");
    }

    /**
     * A recording VM's RAM while it runs: a shared file in {@code memoryDir} (tmpfs), named after this container's
     * socket folder (unique per container) and the VM.
     */
    Path memoryFile(Path memoryDir) {
        Path container = socketDir.getParent() == null ? null : socketDir.getParent().getFileName();
        return memoryDir.resolve((container == null ? "replaydesk" : container.toString()) + "-"
                + socketDir.getFileName() + ".ram");
    }

    /** The guest RAM saved with a snapshot, when RAM is kept out of the vmstate (a sparse file). */
    Path snapshotMemory(String tag) {
        return dir.resolve("memory-" + tag + ".ram");
    }

    Path qmpSocket() {
        return socketDir.resolve("qmp.sock");
    }

    Path monitorSocket() {
        return socketDir.resolve("qmp-monitor.sock");
    }

    Path vncSocket() {
        return socketDir.resolve("vnc.sock");
    }

    Path serialSocket() {
        return socketDir.resolve("serial.sock");
    }
}
