package org.replaydesk.api;

/**
 * Outcome class of a failed ReplayDesk operation. Each status maps to one outcome in every front end
 * (shell message, RFB failure reason, HTTP status), so callers branch on the status, never on text.
 */
public enum Status {
    /** The caller named something that does not exist (an unknown VM, snapshot or session). */
    NOT_FOUND(404),
    /** The request collides with current state (a duplicate name, a second start of a running VM). */
    CONFLICT(409),
    /** The request itself is malformed (an invalid name, memory size or workload). */
    INVALID_ARGUMENT(400),
    /** A required external piece is missing or unusable (QEMU not installed, kernel file missing). */
    UNAVAILABLE(503),
    /** An external piece failed while doing the work (QEMU exited, QMP answered with an error). */
    FAILED(500),
    /** The work did not finish in the allowed time. */
    TIMEOUT(504);

    private final int httpStatus;

    Status(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status code a REST or WebSocket front end reports for this outcome. */
    public int httpStatus() {
        return httpStatus;
    }
}
