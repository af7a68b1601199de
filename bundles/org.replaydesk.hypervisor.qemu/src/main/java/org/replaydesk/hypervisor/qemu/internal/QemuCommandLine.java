package org.replaydesk.hypervisor.qemu.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VmSpec;

/**
 * Builds the QEMU command line for a VM. Record and replay must see an identical machine (same
 * devices, same -icount options), so both come from this one place; only backends (sockets,
 * files, VNC port) may differ between a recorder and its replayers.
 */
final class QemuCommandLine {

    /** Kernel arguments every demo-guest VM gets: serial console, 640x480x24 VESA framebuffer. */
    /**
     * init_on_free=1: the guest kernel zeroes memory it frees, so a snapshot carries only memory in use (QEMU's RAM
     * stream stores a zero page in one byte). The demo guest's first snapshot shrinks from 85.5 to 59.6 MiB, and
     * every join with it (docs/benchmarks.md, "Zeroing freed guest memory").
     */
    static final String BASE_KERNEL_ARGS = "console=ttyS0 vga=0x312 quiet init_on_free=1";

    /**
     * The RAM backend's id. QEMU names the RAM block after it, and a snapshot loads only into a machine whose block
     * names match; "pc.ram" is what a plain {@code -m} machine calls it, so every VM agrees whether or not its RAM is
     * a file.
     */
    static final String RAM_BACKEND_ID = "pc.ram";

    /** The migration capability that keeps shared RAM out of savevm's vmstate (and makes loadvm expect that). */
    static final String IGNORE_SHARED = "x-ignore-shared";

    private QemuCommandLine() {
    }

    /** The RAM file a replayer maps, when its snapshot kept RAM out of the vmstate. */
    static Optional<Path> replayMemory(VmSpec spec) {
        return spec.mode() == RecordReplayMode.REPLAY
                ? spec.replaySource().flatMap(ReplaySource::memoryImage) : Optional.empty();
    }

    /**
     * @param spec the VM definition
     * @param paths the VM's files and sockets
     * @param kernel kernel to boot, or null when booting a disk image
     * @param initrd initrd, or null
     * @param disk the qcow2 image the VM runs on (holds its snapshots)
     * @param vncTcpPort loopback TCP port for QEMU's own VNC, or 0 for none
     * @param netServerPort port of the loopback file server the net workload uses
     */
    /** The network card of VMs with a network (recorder and replayer must agree on it). */
    static final String NIC = "rtl8139";

    static List<String> build(String qemuBinary, VmSpec spec, VmPaths paths, Path kernel, Path initrd, Path disk,
            int vncTcpPort, int netServerPort) {
        return build(qemuBinary, spec, paths, kernel, initrd, disk, vncTcpPort, netServerPort, null);
    }

    /**
     * @param recorderMemory for a recording VM, the shared file its RAM lives in (kept out of snapshots' vmstate,
     *        see {@link #RAM_BACKEND_ID}); null to keep RAM in anonymous memory and inside the vmstate
     */
    static List<String> build(String qemuBinary, VmSpec spec, VmPaths paths, Path kernel, Path initrd, Path disk,
            int vncTcpPort, int netServerPort, Path recorderMemory) {
        List<String> cmd = new ArrayList<>();
        cmd.add(qemuBinary);
        // debug-threads: QEMU names its threads ("CPU 0/TCG", "worker"), so a stall diagnosis can say which waits.
        cmd.addAll(List.of("-name", spec.name().value() + ",debug-threads=on", "-nodefaults", "-no-user-config"));
        Optional<Path> replayMemory = replayMemory(spec);
        String memory = spec.memoryMb() + "M";
        if (spec.mode() == RecordReplayMode.RECORD && recorderMemory != null) {
            // Shared, so that savevm with x-ignore-shared leaves RAM out of the vmstate and the driver can copy the
            // file while the guest is stopped around savevm (QemuVirtualMachine.snapshot).
            cmd.addAll(List.of("-object", "memory-backend-file,id=" + RAM_BACKEND_ID + ",size=" + memory
                    + ",mem-path=" + recorderMemory + ",share=on"));
            cmd.addAll(List.of("-machine", "pc,memory-backend=" + RAM_BACKEND_ID));
        } else if (replayMemory.isPresent()) {
            // Private: the replayer's writes stay in its own memory; reads of untouched pages go to the file, which
            // on a client is lazily fetched (rdfuse), so only touched pages cross the network.
            cmd.addAll(List.of("-object", "memory-backend-file,id=" + RAM_BACKEND_ID + ",size=" + memory
                    + ",mem-path=" + replayMemory.get() + ",share=off"));
            cmd.addAll(List.of("-machine", "pc,memory-backend=" + RAM_BACKEND_ID));
        } else {
            cmd.addAll(List.of("-machine", "pc"));
        }
        cmd.addAll(List.of("-accel", "tcg", "-smp", "1", "-m", Integer.toString(spec.memoryMb())));
        cmd.addAll(List.of("-icount", icount(spec, paths)));
        // Host-clock reads are logged under record; a VM clock for the RTC keeps the log smaller (REPORT.md).
        cmd.addAll(List.of("-rtc", "base=utc,clock=vm"));
        boolean recordReplay = spec.mode() != RecordReplayMode.NONE;
        if (kernel != null) {
            cmd.addAll(List.of("-kernel", kernel.toString()));
            if (initrd != null) {
                cmd.addAll(List.of("-initrd", initrd.toString()));
            }
            cmd.addAll(List.of("-append", kernelArgs(spec, netServerPort)));
        }
        // Every disk goes through blkreplay under record/replay: request completion order is
        // non-deterministic and blkreplay logs it (the data itself is not in the log).
        String format = disk.toString().endsWith(".qcow2") ? "qcow2" : "raw";
        if (recordReplay) {
            cmd.addAll(List.of("-drive", "file=" + disk + ",format=" + format + ",if=none,id=disk0-direct"));
            cmd.addAll(List.of("-drive", "driver=blkreplay,if=none,image=disk0-direct,id=disk0"));
        } else {
            cmd.addAll(List.of("-drive", "file=" + disk + ",format=" + format + ",if=none,id=disk0"));
        }
        cmd.addAll(List.of("-device", "virtio-blk-pci,drive=disk0" + (spec.boot().diskImage().isPresent() ? ",bootindex=0" : "")));
        cmd.addAll(List.of("-vga", "std", "-display", "none"));
        cmd.addAll(List.of("-vnc", "unix:" + paths.vncSocket()));
        if (vncTcpPort > 0) {
            cmd.addAll(List.of("-vnc", "127.0.0.1:" + (vncTcpPort - 5900) + ",id=vnc-loopback"));
        }
        cmd.addAll(List.of("-chardev", "socket,id=serial0,path=" + paths.serialSocket() + ",server=on,wait=off,logfile="
                + paths.serialLog() + ",logappend=on"));
        cmd.addAll(List.of("-serial", "chardev:serial0"));
        cmd.addAll(List.of("-qmp", "unix:" + paths.qmpSocket() + ",server=on,wait=off"));
        cmd.addAll(List.of("-qmp", "unix:" + paths.monitorSocket() + ",server=on,wait=off"));
        if (spec.network()) {
            cmd.addAll(List.of("-netdev", "user,id=net0" + (spec.mode() == RecordReplayMode.REPLAY ? ",restrict=on" : "")));
            // rtl8139, the NIC QEMU's record/replay documentation uses: it transmits inside the guest's register
            // write and receives inside the replayed packet event, so a replay sees the device do exactly what the
            // recording saw. Measured with benchmarks/network_replay_bench.py (docs/architecture.md, "Network and
            // replay"): a recording of active downloads through virtio-net-pci does not replay (QEMU 7.2 transmits
            // from a bottom half whose timing the log does not hold, and its tx=timer variant fares no better), and
            // e1000 re-arms its interrupt mitigation timer whenever a snapshot is loaded, which the recording never
            // had, so every replay from a snapshot diverges. rtl8139's post_load re-arms its timer only where the
            // recording had it armed too.
            cmd.addAll(List.of("-device", NIC + ",netdev=net0"));
            if (recordReplay) {
                // Packets are recorded into the log; a replayer drops live packets and needs no network.
                cmd.addAll(List.of("-object", "filter-replay,id=net0-replay,netdev=net0"));
            }
        } else {
            cmd.addAll(List.of("-net", "none"));
        }
        if (replayMemory.isPresent()) {
            // Start paused: the snapshot is loaded over QMP (after x-ignore-shared is set, which no command-line
            // option can do in QEMU 7.2) instead of with rrsnapshot= during start-up, then the guest continues.
            cmd.add("-S");
        }
        if (spec.mode() == RecordReplayMode.REPLAY) {
            // The recorder's quit is logged as a shutdown at its last instruction; a replayer that
            // reaches it pauses (keeping its last frame and its monitor) instead of exiting.
            cmd.addAll(List.of("-action", "shutdown=pause"));
        }
        cmd.addAll(List.of("-pidfile", paths.pidFile().toString()));
        return cmd;
    }

    /** The rrfile a recorder writes, exactly as the command line names it (rrflush matches QEMU's fopen on it). */
    static Path recordFile(VmPaths paths) {
        return paths.recordLog();
    }

    static String icount(VmSpec spec, VmPaths paths) {
        StringBuilder b = new StringBuilder("shift=auto");
        switch (spec.mode()) {
            case RECORD -> b.append(",rr=record,rrfile=").append(recordFile(paths));
            case REPLAY -> {
                ReplaySource source = spec.replaySource().orElseThrow();
                b.append(",rr=replay,rrfile=").append(source.logFile());
                if (source.memoryImage().isEmpty()) {
                    source.snapshot().ifPresent(tag -> b.append(",rrsnapshot=").append(tag.value()));
                }
            }
            case NONE -> {
                // plain icount: same timing model as record, so a VM behaves alike in every mode
            }
        }
        return b.toString();
    }

    static String kernelArgs(VmSpec spec, int netServerPort) {
        StringBuilder b = new StringBuilder(BASE_KERNEL_ARGS).append(" rd.wl=").append(spec.workload());
        if (spec.network() && netServerPort > 0) {
            b.append(" rd.netport=").append(netServerPort);
        }
        if (!spec.boot().kernelArgs().isEmpty()) {
            b.append(' ').append(spec.boot().kernelArgs());
        }
        return b.toString();
    }
}
