package org.replaydesk.recordlog.internal;

import org.replaydesk.api.Status;

/** The failure kinds an ERROR frame carries, with the {@link Status} the client reports for each. */
enum ErrorCode {
    /** The HELLO was malformed or asked for an unsupported version. */
    BAD_REQUEST(1, Status.INVALID_ARGUMENT),
    /** Wrong or missing token. */
    UNAUTHORIZED(2, Status.INVALID_ARGUMENT),
    /** No log is published under that VM name. */
    NOT_FOUND(3, Status.NOT_FOUND),
    /** The recorder ended without finishing its log (killed, crashed): no END will come. */
    LOG_ABORTED(4, Status.FAILED),
    /** The publication was withdrawn or replaced by a new recording. */
    UNPUBLISHED(5, Status.UNAVAILABLE),
    /** The server could not read the log. */
    SERVER_ERROR(6, Status.FAILED);

    private final int wire;
    private final Status status;

    ErrorCode(int wire, Status status) {
        this.wire = wire;
        this.status = status;
    }

    int wire() {
        return wire;
    }

    Status status() {
        return status;
    }

    /** @return the code, or null for a byte no version of the protocol defines */
    static ErrorCode fromWire(int value) {
        for (ErrorCode c : values()) {
            if (c.wire == value) {
                return c;
            }
        }
        return null;
    }
}
