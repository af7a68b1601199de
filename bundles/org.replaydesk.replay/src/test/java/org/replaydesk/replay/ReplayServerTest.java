package org.replaydesk.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;

class ReplayServerTest {

    @Test
    void hostAloneUsesTheDefaultPortsOfAHost() {
        ReplayServer s = ReplayServer.parse("desk-server.example");
        assertEquals("desk-server.example", s.recordLog().getHostString());
        assertEquals(5690, s.recordLog().getPort());
        assertEquals(5691, s.chunks().getPort());
    }

    @Test
    void portNamesTheLogStreamerAndTheChunkServerIsNextToIt() {
        ReplayServer s = ReplayServer.parse(" 10.0.0.7:5790 ");
        assertEquals("10.0.0.7", s.recordLog().getHostString());
        assertEquals(5790, s.recordLog().getPort());
        assertEquals(5791, s.chunks().getPort());
        assertTrue(s.recordLog().isUnresolved(), "resolved only when a session starts");
    }

    @Test
    void badAddressesAreNamed() {
        for (String bad : new String[] {"", "  ", ":5690", "host:", "host:x", "host:0", "host:65535", "host:-1"}) {
            ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> ReplayServer.parse(bad), bad);
            assertEquals(Status.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().contains("server address"), e.getMessage());
        }
        assertThrows(ReplayDeskException.class, () -> ReplayServer.parse(null));
    }

    @Test
    void aFreshSnapshotAndANamedOneExcludeEachOther() {
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> new ReplayOptions(Optional.empty(), Optional.of(SnapshotTag.of("rd-1")), true));
        assertTrue(e.getMessage().contains("exclude"), e.getMessage());
        assertEquals(Optional.empty(), ReplayOptions.local().server());
    }
}
