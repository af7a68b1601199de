package org.replaydesk.qmp;

/**
 * Root of every failure reported by the QMP client.
 *
 * <p>Unchecked, so that hypervisor drivers can let it travel up to the layer that maps it to a shell, RFB or
 * HTTP outcome without declaring it on every method. Messages name the socket or command involved and what
 * went wrong, because they end up in operators' logs.
 */
public class QmpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the socket or command
     */
    public QmpException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the socket or command
     * @param cause the underlying failure, may be {@code null}
     */
    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
