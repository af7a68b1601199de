package org.replaydesk.qmp;

/**
 * QEMU answered a command with an {@code error} reply instead of {@code return}.
 *
 * <p>The connection stays usable; only this command failed. {@link #errorClass()} is QEMU's machine-readable
 * class (in practice {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotFound},
 * {@code DeviceNotActive}, {@code KVMMissingCap}); {@link #description()} is QEMU's human-readable text.
 */
public class QmpErrorException extends QmpException {
    private static final long serialVersionUID = 1L;

    /** The QMP command that failed. */
    private final String command;
    /** QEMU's {@code error.class}. */
    private final String errorClass;
    /** QEMU's {@code error.desc}. */
    private final String description;

    /**
     * @param command the QMP command that failed
     * @param errorClass QEMU's {@code error.class}
     * @param description QEMU's {@code error.desc}
     */
    public QmpErrorException(String command, String errorClass, String description) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /** @return the QMP command that failed */
    public String command() {
        return command;
    }

    /** @return QEMU's error class, e.g. {@code CommandNotFound} */
    public String errorClass() {
        return errorClass;
    }

    /** @return QEMU's description of the error */
    public String description() {
        return description;
    }
}
