package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VmSpec;

class QemuCommandLineTest {
    private static final VmPaths PATHS = new VmPaths(Path.of("/s/vms/demo"), Path.of("/t/rd/demo"));

    @Test
    void recordingDemoVmGoldenCommandLine() {
        VmSpec spec = VmSpec.builder(VmName.of("demo")).build();
        List<String> cmd = QemuCommandLine.build("/usr/bin/qemu-system-x86_64", spec, PATHS, Path.of("/g/vmlinuz"),
                Path.of("/g/initrd.gz"), Path.of("/s/vms/demo/disk.qcow2"), 5901, 18080);
        assertEquals(String.join(" ",
                "/usr/bin/qemu-system-x86_64 -name demo,debug-threads=on -nodefaults -no-user-config",
                "-machine pc -accel tcg -smp 1 -m 256",
                "-icount shift=auto,rr=record,rrfile=/s/vms/demo/record.log",
                "-rtc base=utc,clock=vm",
                "-kernel /g/vmlinuz -initrd /g/initrd.gz -append console=ttyS0 vga=0x312 quiet init_on_free=1 rd.wl=anim",
                "-drive file=/s/vms/demo/disk.qcow2,format=qcow2,if=none,id=disk0-direct",
                "-drive driver=blkreplay,if=none,image=disk0-direct,id=disk0",
                "-device virtio-blk-pci,drive=disk0",
                "-vga std -display none -vnc unix:/t/rd/demo/vnc.sock -vnc 127.0.0.1:1,id=vnc-loopback",
                "-chardev socket,id=serial0,path=/t/rd/demo/serial.sock,server=on,wait=off,logfile=/s/vms/demo/serial.log,logappend=on",
                "-serial chardev:serial0",
                "-qmp unix:/t/rd/demo/qmp.sock,server=on,wait=off -qmp unix:/t/rd/demo/qmp-monitor.sock,server=on,wait=off",
                "-net none -pidfile /s/vms/demo/qemu.pid"), String.join(" ", cmd));
    }

    @Test
    void replayerSeesTheSameMachineAsItsRecorder() {
        VmSpec recorder = VmSpec.builder(VmName.of("demo")).network(true).workload("net").build();
        VmSpec replayer = recorder.toBuilder().name(VmName.of("copy"))
                .replay(new ReplaySource(Path.of("/s/vms/demo/record.log"), Path.of("/s/vms/copy/disk.qcow2"),
                        Optional.of(SnapshotTag.of("s1"))))
                .build();
        VmPaths replayPaths = new VmPaths(Path.of("/s/vms/copy"), Path.of("/t/rd/copy"));
        List<String> rec = QemuCommandLine.build("q", recorder, PATHS, Path.of("/k"), Path.of("/i"), Path.of("/d.qcow2"), 0, 18080);
        List<String> rep = QemuCommandLine.build("q", replayer, replayPaths, Path.of("/k"), Path.of("/i"), Path.of("/d.qcow2"), 0, 18080);
        assertEquals("shift=auto,rr=replay,rrfile=/s/vms/demo/record.log,rrsnapshot=s1", rep.get(rep.indexOf("-icount") + 1));
        // Guest-visible parts must be identical: kernel arguments, devices, memory, clock.
        assertEquals(rec.get(rec.indexOf("-append") + 1), rep.get(rep.indexOf("-append") + 1));
        assertEquals(devices(rec), devices(rep));
        assertTrue(rec.contains("filter-replay,id=net0-replay,netdev=net0"));
        assertTrue(rec.contains("rtl8139,netdev=net0"), "virtio-net traffic does not replay; e1000 breaks replay "
                + "from snapshots (benchmarks/network_replay_bench.py)");
        assertTrue(rep.contains("user,id=net0,restrict=on"), "a replayer needs no live network");
        assertEquals("shutdown=pause", rep.get(rep.indexOf("-action") + 1), "a replayer keeps its last frame");
        assertTrue(!rec.contains("-action"));
    }

    @Test
    void recorderWithAMemoryFileSharesItsRamAndItsReplayerMapsTheSnapshotsCopyPrivately() {
        VmSpec recorder = VmSpec.builder(VmName.of("demo")).build();
        Path live = PATHS.memoryFile(Path.of("/dev/shm"));
        assertEquals(Path.of("/dev/shm/rd-demo.ram"), live, "named after the container's socket folder and the VM");
        List<String> rec = QemuCommandLine.build("q", recorder, PATHS, Path.of("/k"), Path.of("/i"), Path.of("/d.qcow2"),
                0, 0, live);
        String recLine = String.join(" ", rec);
        assertTrue(recLine.contains("-object memory-backend-file,id=pc.ram,size=256M,mem-path=/dev/shm/rd-demo.ram,"
                + "share=on -machine pc,memory-backend=pc.ram -accel tcg -smp 1 -m 256"), recLine);

        Path image = PATHS.snapshotMemory("rd-2");
        assertEquals(Path.of("/s/vms/demo/memory-rd-2.ram"), image);
        VmSpec replayer = recorder.toBuilder().name(VmName.of("copy"))
                .replay(new ReplaySource(Path.of("/l"), Path.of("/c.qcow2"), Optional.of(SnapshotTag.of("rd-2")),
                        Optional.of(image)))
                .build();
        List<String> rep = QemuCommandLine.build("q", replayer, PATHS, Path.of("/k"), Path.of("/i"), Path.of("/c.qcow2"),
                0, 0, live);
        String repLine = String.join(" ", rep);
        assertTrue(repLine.contains("-object memory-backend-file,id=pc.ram,size=256M,mem-path=/s/vms/demo/memory-rd-2.ram,"
                + "share=off -machine pc,memory-backend=pc.ram"), repLine);
        assertEquals("shift=auto,rr=replay,rrfile=/l", rep.get(rep.indexOf("-icount") + 1),
                "no rrsnapshot: the snapshot is loaded over QMP once x-ignore-shared is set");
        assertTrue(rep.contains("-S"), "starts paused until the snapshot is loaded");
        assertTrue(!rec.contains("-S"));
        assertEquals(rec.get(rec.indexOf("-append") + 1), rep.get(rep.indexOf("-append") + 1));
        assertEquals(devices(rec), devices(rep).stream().filter(d -> !d.contains("share=off")).toList());
    }

    @Test
    void aReplayerOfASnapshotWithRamInItsVmstateKeepsTheOldLine() {
        VmSpec replayer = VmSpec.builder(VmName.of("copy")).replay(new ReplaySource(Path.of("/l"), Path.of("/c.qcow2"),
                Optional.of(SnapshotTag.of("s1")))).build();
        String line = String.join(" ", QemuCommandLine.build("q", replayer, PATHS, Path.of("/k"), null,
                Path.of("/c.qcow2"), 0, 0, Path.of("/dev/shm/x.ram")));
        assertTrue(line.contains("-machine pc -accel tcg") && !line.contains("memory-backend") && !line.contains(" -S "),
                line);
        assertTrue(line.contains("rrsnapshot=s1"), line);
    }

    @Test
    void aMemoryImageWithoutASnapshotIsRefused() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ReplaySource(Path.of("/l"), Path.of("/c.qcow2"), Optional.empty(), Optional.of(Path.of("/m"))));
        assertEquals("a memory image belongs to a snapshot: name the snapshot too", e.getMessage());
    }

    @Test
    void plainVmHasNoBlkreplayAndNoLog() {
        VmSpec spec = VmSpec.builder(VmName.of("plain")).mode(RecordReplayMode.NONE).build();
        String cmd = String.join(" ", QemuCommandLine.build("q", spec, PATHS, Path.of("/k"), null, Path.of("/d.qcow2"), 0, 0));
        assertTrue(cmd.contains("-icount shift=auto -rtc"), cmd);
        assertTrue(!cmd.contains("blkreplay") && !cmd.contains("rrfile") && !cmd.contains("-initrd"), cmd);
    }

    private static List<String> devices(List<String> cmd) {
        return cmd.stream().filter(a -> a.startsWith("virtio") || a.startsWith("e1000") || a.equals("std")
                || a.startsWith("driver=blkreplay") || a.startsWith("pc") || a.startsWith("base=")).toList();
    }
}
