package org.replaydesk.qmp;

/**
 * The QMP connection is closed, so the command has no answer and never will.
 *
 * <p>Thrown for every command that was pending when the socket closed (QEMU exited or crashed, the client
 * was closed, or QEMU sent something unreadable) and for every command issued afterwards. The cause, when
 * present, says why the connection closed.
 */
public class QmpConnectionClosedException extends QmpException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which connection closed
     * @param cause why it closed, may be {@code null}
     */
    public QmpConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
