package org.replaydesk.qmp;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One line of HMP {@code info snapshots}: an internal (savevm) snapshot present on all disks.
 *
 * @param id the snapshot id; QEMU prints {@code --} when the ids differ between disks
 * @param tag the snapshot tag given to {@code savevm}
 * @param vmStateSize the vmstate size as QEMU prints it, e.g. {@code 81.3 MiB} or {@code 765 B}
 * @param date when the snapshot was taken, in the host's local time as QEMU prints it
 * @param vmClock the guest clock at the snapshot
 * @param icount the instruction count at the snapshot; empty unless the VM ran with {@code -icount}
 */
public record SnapshotInfo(String id, String tag, String vmStateSize, LocalDateTime date, Duration vmClock,
        OptionalLong icount) {

    /**
     * Rejects missing members.
     *
     * @param id see {@link #id()}
     * @param tag see {@link #tag()}
     * @param vmStateSize see {@link #vmStateSize()}
     * @param date see {@link #date()}
     * @param vmClock see {@link #vmClock()}
     * @param icount see {@link #icount()}
     */
    public SnapshotInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(vmStateSize, "vmStateSize");
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(vmClock, "vmClock");
        Objects.requireNonNull(icount, "icount");
    }
}
