package org.replaydesk.qmp;

/**
 * No answer arrived in time: a command's reply, the greeting, or a connection to the socket.
 *
 * <p>The connection is left open after a command timeout; a reply that arrives later is discarded.
 */
public class QmpTimeoutException extends QmpException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what timed out and after how long
     */
    public QmpTimeoutException(String message) {
        super(message);
    }

    /**
     * @param message what timed out and after how long
     * @param cause the last failure seen while waiting, may be {@code null}
     */
    public QmpTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
