package org.replaydesk.snapshot;

/** Told how a snapshot progresses; called on the thread taking the snapshot. */
@FunctionalInterface
public interface SnapshotProgress {

    /** Ignores all progress. */
    SnapshotProgress NONE = (phase, done, total) -> {
    };

    /**
     * @param phase the current step
     * @param done bytes of this step done so far (0 for steps without a byte count)
     * @param total bytes of this step in all (0 when unknown)
     */
    void progress(SnapshotPhase phase, long done, long total);
}
