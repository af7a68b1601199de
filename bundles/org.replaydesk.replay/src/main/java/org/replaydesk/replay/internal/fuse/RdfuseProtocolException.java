package org.replaydesk.replay.internal.fuse;

/** rdfuse sent something that is not its control protocol; the connection cannot be trusted any more. */
final class RdfuseProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    RdfuseProtocolException(String message) {
        super(message);
    }
}
