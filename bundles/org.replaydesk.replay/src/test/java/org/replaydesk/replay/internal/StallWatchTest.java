package org.replaydesk.replay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.replaydesk.replay.internal.StallWatch.Change;

class StallWatchTest {
    private final Instant t0 = Instant.parse("2026-12-06T12:00:00Z");
    private final StallWatch watch = new StallWatch(Duration.ofSeconds(10));

    private Instant at(long seconds) {
        return t0.plusSeconds(seconds);
    }

    @Test
    void aReplayerBehindItsRecorderThatStaysAtOneIcountStallsAfterTheLimitAndResumesWhenItMoves() {
        assertEquals(Change.NONE, watch.observe(at(0), 1_000, 5_000));
        assertEquals(Change.NONE, watch.observe(at(9), 1_000, 9_000));
        assertEquals(Change.STALLED, watch.observe(at(10), 1_000, 9_000));
        assertTrue(watch.stalled());
        assertEquals(Change.NONE, watch.observe(at(30), 1_000, 9_000), "reported once");
        assertEquals(Duration.ofSeconds(30), watch.atIcountFor(at(30)));
        assertEquals(Change.RESUMED, watch.observe(at(31), 1_001, 9_000));
        assertFalse(watch.stalled());
        assertEquals(Change.NONE, watch.observe(at(40), 1_001, 9_000));
        assertEquals(Change.STALLED, watch.observe(at(41), 1_001, 9_000), "the limit counts from the last move");
    }

    @Test
    void aReplayerAtTheRecordersIcountIsCaughtUpNotStalled() {
        watch.observe(at(0), 7_000, 7_000);
        assertEquals(Change.NONE, watch.observe(at(60), 7_000, 7_000));
        assertEquals(Change.NONE, watch.observe(at(61), 7_000, 6_000), "an older heartbeat");
        assertFalse(watch.stalled());
    }

    @Test
    void aPausedReplayerIsNotStalledAndItsWaitStartsOver() {
        watch.observe(at(0), 1_000, 5_000);
        assertEquals(Change.STALLED, watch.observe(at(12), 1_000, 5_000));
        assertEquals(Change.RESUMED, watch.paused(at(13)));
        assertEquals(Change.NONE, watch.observe(at(20), 1_000, 5_000));
        assertEquals(Change.STALLED, watch.observe(at(23), 1_000, 5_000));
        assertEquals(Change.RESUMED, watch.observe(at(24), 1_000, 1_000), "the recorder is back where it waits");
    }

    @Test
    void unknownCountsAreIgnored() {
        assertEquals(Change.NONE, watch.observe(at(0), -1, 5_000));
        assertEquals(Change.NONE, watch.observe(at(100), -1, 5_000));
        assertEquals(Change.NONE, watch.observe(at(101), 10, 5_000));
        assertEquals(Change.NONE, watch.observe(at(110), 10, -1));
        assertEquals(Change.STALLED, watch.observe(at(111), 10, 5_000));
    }
}
