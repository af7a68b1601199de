package org.replaydesk.api.session;

import java.time.Duration;
import java.util.Objects;

import org.replaydesk.api.SnapshotTag;

/**
 * A snapshot the server took because a client joins (switches a session to replay).
 *
 * @param tag the snapshot's tag, in the server's chunk store
 * @param stall how long the server VM was stopped for it
 * @since 1.1
 */
public record JoinSnapshot(SnapshotTag tag, Duration stall) {
    public JoinSnapshot {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(stall, "stall");
        if (stall.isNegative()) {
            throw new IllegalArgumentException("stall " + stall + " is negative");
        }
    }
}
