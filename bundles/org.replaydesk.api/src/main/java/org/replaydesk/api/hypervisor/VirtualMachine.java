package org.replaydesk.api.hypervisor;

import java.nio.file.Path;
import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;

/**
 * One desktop VM managed by a {@link Hypervisor}. Every method that needs a running VM throws a
 * {@link ReplayDeskException} with status CONFLICT when the VM has no process.
 */
@ProviderType
public interface VirtualMachine {

    VmName name();

    VmSpec spec();

    VmState state();

    /** A fresh status (state, icount, log size, uptime); queries the monitor when the VM runs. */
    VmStatus status();

    /** Starts the VM's process and returns once its monitor answers. CONFLICT when it already runs. */
    void start();

    /**
     * Stops the VM: asks QEMU to quit (which also finalises the record log) and kills the process
     * if it has not ended within the timeout. A no-op for a VM without a process.
     */
    void stop(Duration timeout);

    /** Pauses the guest and returns its instruction count at the pause. */
    long pause();

    /** Resumes a paused guest. */
    void resume();

    /**
     * Replay only: runs until the guest reaches {@code icount}, then pauses there. Waits up to
     * {@code timeout} for the pause.
     */
    void runUntil(long icount, Duration timeout);

    /** Writes the current screen as a PNG file. */
    void screendump(Path pngFile);

    /** Types text on the guest's keyboard (letters, digits, punctuation, '\n' for Enter). */
    void typeText(String text);

    /** Switches the demo guest's workload at run time, without a reboot. */
    void switchWorkload(String workload);

    /**
     * Takes a snapshot of the running VM (retrying while record/replay refuses) and reports the
     * stall the guest saw.
     */
    SnapshotResult snapshot(SnapshotTag tag);

    /** The VM's record log, or, for a replayer, the log it replays. */
    Path recordLog();

    /** The qcow2 image that holds the VM's disk and its snapshots. */
    Path diskImage();

    /**
     * The unix socket of the VM's own VNC server, which a display provider relays to viewers (it exists
     * while the VM has a process).
     *
     * @return the socket path
     * @since 1.1
     */
    Path vncSocket();

    /**
     * Deletes a snapshot the VM's image holds (a snapshotter keeps a bounded number). Under record/replay it is
     * retried while QEMU refuses, like {@link #snapshot}. Deleting an unknown tag is a no-op.
     *
     * @param tag the snapshot
     * @since 1.2
     */
    void deleteSnapshot(SnapshotTag tag);

    /**
     * Waits until the guest reports that it finished booting and runs its workload (the demo guest prints
     * {@code RD: ready} on its serial line). A snapshotter waits for it before the first snapshot, so a replay
     * never starts in the middle of a boot.
     *
     * @param timeout how long to wait
     * @return true once the guest is ready (at once if it already was), false on timeout, when the VM has no
     *     process, or for a guest that never reports
     * @since 1.2
     */
    boolean awaitGuestReady(Duration timeout);

    /**
     * The guest RAM a snapshot was taken with, when the VM keeps RAM out of its snapshots' vmstate (a recorder
     * whose memory is a shared file): a sparse file of the guest's RAM size, holes where memory was zero. It is
     * exported beside the disk image, and a replayer maps it copy-on-write ({@link ReplaySource#memoryImage()}), so
     * a client fetches the pages its replay touches instead of all of them before the first instruction (the
     * paper's demand paging of snapshot memory). Deleted with the snapshot.
     *
     * @param tag the snapshot
     * @return the file, or empty when the snapshot's vmstate holds its RAM (or there is no such snapshot)
     * @since 1.3
     */
    default java.util.Optional<Path> snapshotMemory(SnapshotTag tag) {
        return java.util.Optional.empty();
    }

    /**
     * Where the VM's host process waits right now, for telling why a VM makes no progress: one entry per thread
     * that is blocked in the host kernel other than in an idle wait, e.g. a replayer's vCPU in a page fault on its
     * FUSE-backed snapshot memory, or in a read of the live record log. Diagnostics only: the text is for people and
     * logs, not for parsing.
     *
     * @return the description, or empty when there is no process or the host cannot tell
     * @since 1.4
     */
    default java.util.Optional<String> hostWaits() {
        return java.util.Optional.empty();
    }

    /**
     * Bytes the VM's network has carried since it started, both directions: the payload its user-mode network
     * exchanged with the outside (TCP and UDP, without the guest's packet headers). For policies' network metric.
     *
     * @return the count, or empty when the VM has no network, does not run, or its driver cannot count
     * @since 1.4
     */
    default java.util.OptionalLong networkBytes() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Sends the guest a non-maskable interrupt, as a machine's NMI button (libvirt's {@code inject-nmi}): a Linux guest
     * that hangs prints its state on the console, or panics if told to. In a replayer the interrupt is not in the
     * record log, so the replay diverges from the recording at once: what tests use to prove that a diverged replay is
     * noticed and replaced.
     *
     * @throws org.replaydesk.api.ReplayDeskException when the VM does not run or its driver cannot do this
     * @since 1.5
     */
    default void injectNmi() {
        throw org.replaydesk.api.ReplayDeskException.conflict("VM " + name() + ": this hypervisor cannot inject an NMI");
    }
}
