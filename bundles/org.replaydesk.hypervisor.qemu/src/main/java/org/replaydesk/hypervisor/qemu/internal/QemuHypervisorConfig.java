package org.replaydesk.hypervisor.qemu.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the QEMU driver, PID {@code org.replaydesk.hypervisor.qemu}. */
@ObjectClassDefinition(name = "ReplayDesk QEMU driver", description = "Where QEMU, the demo guest and VM state live")
@interface QemuHypervisorConfig {

    @AttributeDefinition(description = "QEMU system emulator: a name looked up on PATH, or an absolute path")
    String qemu_binary() default "qemu-system-x86_64";

    @AttributeDefinition(description = "qemu-img: a name looked up on PATH, or an absolute path")
    String qemu_img_binary() default "qemu-img";

    @AttributeDefinition(description = "Folder with the demo guest (vmlinuz, initrd.gz, video.raw); empty = ${karaf.home}/guest")
    String guest_dir() default "";

    @AttributeDefinition(description = "Folder holding one sub-folder per VM; empty = ${karaf.data}/replaydesk/vms")
    String state_dir() default "";

    @AttributeDefinition(description = "Folder for the VMs' unix sockets (kept short: socket paths are limited to 107 bytes); empty = a folder under /tmp")
    String socket_dir() default "";

    @AttributeDefinition(description = "First loopback TCP port for QEMU's own VNC server (one per running VM); 0 = no TCP VNC")
    int vnc_loopback_port_base() default 5901;

    @AttributeDefinition(description = "Loopback port of the file server the 'net' workload downloads from; 0 = off")
    int net_server_port() default 18080;

    @AttributeDefinition(description = "Seconds to wait for a starting QEMU's monitor")
    int start_timeout_seconds() default 60;

    @AttributeDefinition(description = "LD_PRELOAD library that flushes a recorder's record log every few ms (QEMU "
            + "buffers it in 4 KiB, so live clients would see it up to ~0.8 s late); ${karaf.home} is resolved; "
            + "empty = off")
    String rrflush_library() default QemuSettings.DEFAULT_RRFLUSH_LIBRARY;

    @AttributeDefinition(description = "How often the rrflush library flushes the record log, in milliseconds (1-1000)")
    int rrflush_interval_ms() default 10;

    @AttributeDefinition(description = "LD_PRELOAD library for replaying VMs that caps QEMU's main-loop wait, so a "
            + "replayer skips guest idle time at once (native-hooks/rrpace); empty disables it")
    String rrpace_library() default QemuSettings.DEFAULT_RRPACE_LIBRARY;

    @AttributeDefinition(description = "Longest main-loop wait of a replaying QEMU with rrpace, in microseconds (50-100000)")
    int rrpace_poll_cap_us() default 500;

    @AttributeDefinition(description = "Folder on a memory file system (tmpfs) for the RAM of recording VMs. Their "
            + "RAM is a shared file there, kept out of snapshots' vmstate and copied beside each snapshot, so a "
            + "client fetches only the pages its replay touches. Empty: RAM travels inside the vmstate (the whole "
            + "of it on every first join)")
    String memory_dir() default "/dev/shm";
}
