package org.replaydesk.api;

import java.util.Objects;

/**
 * Root of every error ReplayDesk reports. The message is written for the person who reads it (an
 * operator at the shell, a viewer user): it names what went wrong and, where possible, what to do.
 */
public class ReplayDeskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status status;

    public ReplayDeskException(Status status, String message) {
        super(message);
        this.status = Objects.requireNonNull(status, "status");
    }

    public ReplayDeskException(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
    }

    /** The outcome class, used to map this error to shell, RFB and HTTP outcomes. */
    public Status status() {
        return status;
    }

    public static ReplayDeskException notFound(String message) {
        return new ReplayDeskException(Status.NOT_FOUND, message);
    }

    public static ReplayDeskException conflict(String message) {
        return new ReplayDeskException(Status.CONFLICT, message);
    }

    public static ReplayDeskException invalid(String message) {
        return new ReplayDeskException(Status.INVALID_ARGUMENT, message);
    }

    public static ReplayDeskException unavailable(String message) {
        return new ReplayDeskException(Status.UNAVAILABLE, message);
    }

    public static ReplayDeskException failed(String message, Throwable cause) {
        return new ReplayDeskException(Status.FAILED, message, cause);
    }
}
