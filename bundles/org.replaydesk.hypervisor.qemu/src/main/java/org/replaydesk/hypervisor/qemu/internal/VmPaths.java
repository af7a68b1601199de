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

    Path commandLineFile() {
        return dir.resolve("qemu.cmdline");
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
