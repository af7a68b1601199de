package org.replaydesk.recordlog;

import org.osgi.annotation.versioning.ConsumerType;
import org.replaydesk.api.ReplayDeskException;

/**
 * Receives one subscription's stream. {@link #onData}, {@link #onHeartbeat}, {@link #onEnd} and {@link #onError} are
 * called in stream order on the subscription's own delivery thread, one at a time; a slow sink fills the
 * subscription's buffer and makes it lag, it never loses bytes. {@link #onLagging} is called on a network thread as
 * soon as the buffer fills or drains, out of order with the rest, so that a mode switch can react at once; it must
 * not block.
 */
@ConsumerType
public interface RecordLogSink {

    /**
     * The next log bytes. Offsets are contiguous from the subscription's start offset: each call starts where the
     * previous one ended, across reconnections too.
     *
     * @param offset log offset of {@code bytes[0]}
     * @param bytes the bytes (owned by the sink from now on)
     */
    void onData(long offset, byte[] bytes);

    /**
     * How far the recorder is. Sent about every 100 ms, also when the log does not grow.
     *
     * @param heartbeat the server's icount and log size
     */
    default void onHeartbeat(Heartbeat heartbeat) {
    }

    /**
     * The subscription's buffer became full (the sink is slower than the log; reading from the network pauses) or
     * drained to half (reading resumes).
     *
     * @param lagging true when full
     */
    default void onLagging(boolean lagging) {
    }

    /**
     * The recorder finished the log; every byte up to {@code finalSize} has been delivered. QEMU writes the log's
     * header (bytes 0-3, the version) only when it finishes, so those bytes were streamed as zeros; {@code header}
     * holds their final value.
     *
     * @param finalSize the log's final length
     * @param header the final bytes 0-3
     */
    void onEnd(long finalSize, byte[] header);

    /**
     * The stream stopped for good: the server refused or reported an error, the server sent something that breaks
     * the protocol, or it could not be reached within the reconnect timeout. Nothing follows.
     *
     * @param error what went wrong; its message names the problem and the server
     */
    void onError(ReplayDeskException error);
}
