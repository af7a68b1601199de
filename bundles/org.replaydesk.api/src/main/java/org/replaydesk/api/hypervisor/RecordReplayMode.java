package org.replaydesk.api.hypervisor;

/** How a VM runs with respect to deterministic record/replay. */
public enum RecordReplayMode {
    /** Plain TCG, no log. Fastest, but nobody can replay this VM. */
    NONE,
    /** The VM records every non-deterministic input into its record log. */
    RECORD,
    /** The VM re-executes a record log; it takes no input of its own. */
    REPLAY
}
