package org.replaydesk.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.SnapshotTag;

class ReplayOptionsTest {

    @Test
    void followersRejoinCallersWithANamedSnapshotDoNot() {
        assertTrue(ReplayOptions.local().rejoinOnDivergence());
        assertTrue(ReplayOptions.remote(ReplayServer.parse("server:5690")).rejoinOnDivergence());
        // the 1.2 constructor: desktop sessions name their JOIN snapshot and watch stalls themselves
        assertFalse(new ReplayOptions(Optional.empty(), Optional.of(SnapshotTag.of("rd-2")), false)
                .rejoinOnDivergence());
    }

    @Test
    void aLocalRejoinTakesAFreshSnapshotARemoteOneTheNewest() {
        ReplayOptions local = new ReplayOptions(Optional.empty(), Optional.of(SnapshotTag.of("rd-2")), false, true)
                .forRejoin();
        assertEquals(Optional.empty(), local.snapshot(), "not the snapshot the diverged replay started from");
        assertTrue(local.freshSnapshot());
        assertTrue(local.rejoinOnDivergence());
        ReplayServer server = ReplayServer.parse("server:5690");
        ReplayOptions remote = ReplayOptions.remote(server).forRejoin();
        assertEquals(Optional.of(server), remote.server());
        assertFalse(remote.freshSnapshot(), "only this host's snapshotter can be asked for a snapshot");
        assertEquals(Optional.empty(), remote.snapshot());
    }
}
