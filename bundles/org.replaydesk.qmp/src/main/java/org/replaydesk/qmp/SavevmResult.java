package org.replaydesk.qmp;

import java.time.Duration;
import java.util.Objects;

/**
 * Outcome of a successful {@link QmpClient#savevm(String, Duration)}.
 *
 * <p>Under record/replay QEMU 7.2 refuses snapshots while replay events are queued, so a save may take
 * several attempts; only the last one paused the guest, which is why {@link #stall()} and {@link #total()}
 * are reported separately.
 *
 * @param tag the snapshot tag
 * @param attempts how many {@code savevm} commands were sent, at least 1
 * @param stall how long the successful attempt took: the pause the guest saw
 * @param total time from the first attempt to the end of the successful one
 */
public record SavevmResult(String tag, int attempts, Duration stall, Duration total) {

    /**
     * Rejects missing members.
     *
     * @param tag see {@link #tag()}
     * @param attempts see {@link #attempts()}
     * @param stall see {@link #stall()}
     * @param total see {@link #total()}
     */
    public SavevmResult {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(stall, "stall");
        Objects.requireNonNull(total, "total");
    }
}
