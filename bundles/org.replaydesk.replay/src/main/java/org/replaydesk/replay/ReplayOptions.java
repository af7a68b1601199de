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
 * @param rejoinOnDivergence when the replayer stalls and nothing it reads is missing (the replay diverged from the
 *        recording; QEMU 7.2 does this rarely, docs/architecture.md "Divergence and rejoin"), replace it by a new
 *        replay from a fresh snapshot (this host's snapshotter, or the server's session agent over the pager),
 *        else the newest one in the server's catalog, at most {@code 3} times in 10 minutes; off: the session stays stalled for its owner to act (a desktop session
 *        goes back to the server's display)
 * @since 1.3 (rejoinOnDivergence)
 */
public record ReplayOptions(Optional<ReplayServer> server, Optional<SnapshotTag> snapshot, boolean freshSnapshot,
        boolean rejoinOnDivergence) {
    public ReplayOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(snapshot, "snapshot");
        if (freshSnapshot && snapshot.isPresent()) {
            throw org.replaydesk.api.ReplayDeskException.invalid("a fresh snapshot and a named snapshot exclude each other");
        }
    }

    /** The 1.2 shape: no rejoin on divergence (the caller watches the session itself). */
    public ReplayOptions(Optional<ReplayServer> server, Optional<SnapshotTag> snapshot, boolean freshSnapshot) {
        this(server, snapshot, freshSnapshot, false);
    }

    /** @return replay a VM of this container from its newest snapshot, rejoining if the replay diverges */
    public static ReplayOptions local() {
        return new ReplayOptions(Optional.empty(), Optional.empty(), false, true);
    }

    /** @return replay a VM of another host from its newest snapshot, rejoining if the replay diverges */
    public static ReplayOptions remote(ReplayServer server) {
        return new ReplayOptions(Optional.of(server), Optional.empty(), false, true);
    }

    /** @return the options a rejoin after a divergence uses: a fresh snapshot here, the newest one of a server */
    public ReplayOptions forRejoin() {
        return new ReplayOptions(server, Optional.empty(), server.isEmpty(), rejoinOnDivergence);
    }
}
