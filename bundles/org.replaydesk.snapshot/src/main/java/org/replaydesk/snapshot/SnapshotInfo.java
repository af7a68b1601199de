package org.replaydesk.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.pager.Manifest;

/**
 * One snapshot of a recording VM, as a replay client needs it.
 *
 * @param vm the recording VM
 * @param tag the snapshot's tag inside the VM's qcow2 ({@code rrsnapshot=} of the replayer)
 * @param trigger why it was taken
 * @param takenAt when {@code savevm} returned
 * @param icount the guest's instruction count at the snapshot
 * @param logOffset a record-log offset at or below the one QEMU stored in the snapshot: the log size just before
 *        {@code savevm}. A client streams the log from here; QEMU seeks past any extra bytes itself
 * @param stall how long the guest was stopped by {@code savevm}
 * @param imageId the chunk-store id of the qcow2 holding the snapshot
 * @param imageBytes size of that image
 * @param backing the base the image is an overlay of, if any
 * @param memoryImageId the chunk-store id of the guest RAM saved with the snapshot, when the recorder kept RAM out of
 *        the vmstate: a replayer maps it copy-on-write and fetches only the pages it touches
 *        ({@code VirtualMachine.snapshotMemory}); empty when the vmstate holds RAM
 * @since 1.1 (memoryImageId)
 */
public record SnapshotInfo(VmName vm, SnapshotTag tag, SnapshotTrigger trigger, Instant takenAt, long icount,
        long logOffset, Duration stall, String imageId, long imageBytes, Optional<BackingImage> backing,
        Optional<String> memoryImageId) {
    public SnapshotInfo {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(takenAt, "takenAt");
        Objects.requireNonNull(stall, "stall");
        Manifest.checkImageId(imageId);
        Objects.requireNonNull(backing, "backing");
        Objects.requireNonNull(memoryImageId, "memoryImageId");
        memoryImageId.ifPresent(Manifest::checkImageId);
        if (icount < 0 || logOffset < 0 || imageBytes < 0) {
            throw org.replaydesk.api.ReplayDeskException.invalid("snapshot " + tag + " of " + vm
                    + ": icount, log offset and image size must not be negative");
        }
    }

    /** A snapshot whose vmstate holds its RAM. */
    public SnapshotInfo(VmName vm, SnapshotTag tag, SnapshotTrigger trigger, Instant takenAt, long icount,
            long logOffset, Duration stall, String imageId, long imageBytes, Optional<BackingImage> backing) {
        this(vm, tag, trigger, takenAt, icount, logOffset, stall, imageId, imageBytes, backing, Optional.empty());
    }
}
