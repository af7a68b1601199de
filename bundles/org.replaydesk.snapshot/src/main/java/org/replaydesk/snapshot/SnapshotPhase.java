package org.replaydesk.snapshot;

/** The steps of taking a snapshot, in order, as reported to a {@link SnapshotProgress}. */
public enum SnapshotPhase {
    /** {@code savevm} in the running recorder (the guest stalls during this step only). */
    SAVE,
    /** The snapshot's image (the qcow2 holding the snapshot) is chunked into the chunk store. */
    EXPORT_IMAGE,
    /** The image's backing file is chunked into the chunk store (once per base; later snapshots find it there). */
    EXPORT_BASE,
    /** The VM's catalog is rewritten and old snapshots beyond the kept number are deleted. */
    PUBLISH
}
