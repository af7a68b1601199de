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
 */
public record ReplaySource(Path logFile, Path diskImage, Optional<SnapshotTag> snapshot) {
    public ReplaySource {
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(diskImage, "diskImage");
        Objects.requireNonNull(snapshot, "snapshot");
    }
}
