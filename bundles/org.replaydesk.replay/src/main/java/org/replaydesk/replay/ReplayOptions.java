package org.replaydesk.replay;

import java.util.Objects;
import java.util.Optional;

import org.replaydesk.api.SnapshotTag;

/**
 * How to start a replay session.
 *
 * @param server the server host; empty: the recorder runs in this container (loopback, its snapshotter is asked
 *        for a fresh snapshot when {@code freshSnapshot} is set)
 * @param snapshot start from this snapshot; empty: the newest in the catalog
 * @param freshSnapshot ask the local snapshotter for a snapshot now (trigger JOIN) instead of using the newest;
 *        only without a server
 */
public record ReplayOptions(Optional<ReplayServer> server, Optional<SnapshotTag> snapshot, boolean freshSnapshot) {
    public ReplayOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(snapshot, "snapshot");
        if (freshSnapshot && snapshot.isPresent()) {
            throw org.replaydesk.api.ReplayDeskException.invalid("a fresh snapshot and a named snapshot exclude each other");
        }
    }

    /** @return replay a VM of this container from its newest snapshot */
    public static ReplayOptions local() {
        return new ReplayOptions(Optional.empty(), Optional.empty(), false);
    }

    /** @return replay a VM of another host from its newest snapshot */
    public static ReplayOptions remote(ReplayServer server) {
        return new ReplayOptions(Optional.of(server), Optional.empty(), false);
    }
}
