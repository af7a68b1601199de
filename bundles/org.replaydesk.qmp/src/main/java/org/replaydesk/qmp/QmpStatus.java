package org.replaydesk.qmp;

import java.util.Objects;

/**
 * The answer to {@code query-status}.
 *
 * @param status QEMU's run state, e.g. {@code running}, {@code paused}, {@code debug} (replay stopped at a
 *     {@code replay-break}), {@code restore-vm} (a {@code loadvm} failed), {@code shutdown}
 * @param running whether the guest CPUs are executing
 */
public record QmpStatus(String status, boolean running) {

    /**
     * Rejects a missing status so that callers can switch on it.
     *
     * @param status see {@link #status()}
     * @param running see {@link #running()}
     */
    public QmpStatus {
        Objects.requireNonNull(status, "status");
    }
}
