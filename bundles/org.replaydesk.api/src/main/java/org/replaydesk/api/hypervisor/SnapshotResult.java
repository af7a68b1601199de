package org.replaydesk.api.hypervisor;

import java.time.Duration;

import org.replaydesk.api.SnapshotTag;

/**
 * The outcome of a snapshot of a running VM.
 *
 * @param tag the snapshot's tag
 * @param icount guest instruction count at the snapshot (the point a replay from it starts at)
 * @param stall how long the guest was paused by the successful attempt (what a user saw)
 * @param attempts how many attempts it took (record/replay refuses while events are queued)
 * @param total time from the request to the end, retries included
 */
public record SnapshotResult(SnapshotTag tag, long icount, Duration stall, int attempts, Duration total) {
}
