package org.replaydesk.replay.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Tells when a replayer that is behind its recorder stops advancing, and when it moves again. A replayer that waits
 * at the recorder's own instruction count (caught up, or both paused) is not stalled; one that stays at an
 * instruction count for {@code after} while the recorder's newest heartbeat is ahead of it is. Not thread-safe: the
 * monitor thread owns it.
 */
final class StallWatch {

    enum Change {
        NONE,
        /** The replayer has just been seen stalled. */
        STALLED,
        /** A stalled replayer advanced again (or the recorder came back to where it waits). */
        RESUMED
    }

    private final Duration after;
    private long icount = -1;
    private Instant since;
    private boolean stalled;

    StallWatch(Duration after) {
        this.after = after;
    }

    /**
     * @param now the time of the observation
     * @param client the replayer's instruction count (negative: unknown, ignored)
     * @param server the recorder's, from its newest heartbeat (negative: unknown)
     * @return whether this observation starts or ends a stall
     */
    Change observe(Instant now, long client, long server) {
        if (client < 0) {
            return Change.NONE;
        }
        if (client != icount || since == null) {
            icount = client;
            since = now;
            return end();
        }
        if (server <= client) {
            return end();
        }
        if (!stalled && Duration.between(since, now).compareTo(after) >= 0) {
            stalled = true;
            return Change.STALLED;
        }
        return Change.NONE;
    }

    /** The replayer does not run (paused at a break, say): not a stall, and the wait starts over. */
    Change paused(Instant now) {
        since = now;
        return end();
    }

    private Change end() {
        if (stalled) {
            stalled = false;
            return Change.RESUMED;
        }
        return Change.NONE;
    }

    boolean stalled() {
        return stalled;
    }

    /** @return how long the replayer has been at its current instruction count */
    Duration atIcountFor(Instant now) {
        return since == null ? Duration.ZERO : Duration.between(since, now);
    }
}
