package org.replaydesk.api.hypervisor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.replaydesk.api.SnapshotTag;

/**
 * What a replaying VM re-executes: a record log, the disk image that holds the recording's
 * starting state, and optionally the snapshot to start from.
 *
 * @param logFile the record log (may still be growing if served through the live-log helper)
 * @param diskImage the qcow2 image to use; replay needs the exact bytes the recorder saw, so
 *        this must be a copy of the recorder's image (it holds the snapshot) or a fresh overlay
 *        over the same base image for a replay from power-on
 * @param snapshot the snapshot to load first; empty to replay from power-on
 * @param memoryImage the guest RAM the snapshot was taken with, when the recorder kept RAM out of the snapshot's
 *        vmstate ({@link VirtualMachine#snapshotMemory}); the replayer maps it copy-on-write, so only the pages the
 *        guest touches are ever read (through a lazily fetched file, only they cross the network). Empty when the
 *        vmstate holds RAM, or when replaying from power-on
 * @since 1.3 (memoryImage)
 */
public record ReplaySource(Path logFile, Path diskImage, Optional<SnapshotTag> snapshot, Optional<Path> memoryImage) {
    public ReplaySource {
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(diskImage, "diskImage");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(memoryImage, "memoryImage");
        if (memoryImage.isPresent() && snapshot.isEmpty()) {
            throw new IllegalArgumentException("a memory image belongs to a snapshot: name the snapshot too");
        }
    }

    /** A replay whose snapshot (if any) holds its RAM in the vmstate. */
    public ReplaySource(Path logFile, Path diskImage, Optional<SnapshotTag> snapshot) {
        this(logFile, diskImage, snapshot, Optional.empty());
    }
}
