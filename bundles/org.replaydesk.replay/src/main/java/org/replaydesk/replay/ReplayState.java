package org.replaydesk.replay;

/** Where a replay session is. */
public enum ReplayState {
    /** Reading the catalog, mounting the helper, starting QEMU. */
    STARTING,
    /** QEMU loads the snapshot (its image is paged in) and replays the log written since. */
    CATCHING_UP,
    /** The replayer has consumed every log byte that arrived: its screen follows the recorder's. */
    LIVE,
    /** The recording ended and the replayer reached its end. */
    ENDED,
    /** The session stopped on an error; {@link ReplayStatus#failure()} says why. */
    FAILED,
    /** Stopped on request. */
    STOPPED;

    /** @return whether the session is over */
    public boolean isFinal() {
        return this == ENDED || this == FAILED || this == STOPPED;
    }
}
