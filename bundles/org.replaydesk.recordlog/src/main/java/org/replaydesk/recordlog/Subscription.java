package org.replaydesk.recordlog;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** A running log stream on the client; close it to stop. */
@ProviderType
public interface Subscription extends AutoCloseable {

    /** @return log bytes received from the network (delivered or buffered), across reconnections */
    long bytesReceived();

    /** @return bytes read from the network (frames, compressed when compression is on), across reconnections */
    long wireBytesReceived();

    /** @return offset of the next byte the sink will get */
    long deliveredOffset();

    /** @return bytes between what the sink has had and the server's log size in the last heartbeat (never negative) */
    long lagBytes();

    /** @return bytes received but not yet delivered to the sink */
    long bufferedBytes();

    /** @return whether the buffer is full and reading from the network is paused */
    boolean isLagging();

    /** @return the last heartbeat received, if any */
    Optional<Heartbeat> lastHeartbeat();

    /** @return how many times the connection was made again after it dropped */
    int reconnects();

    /** @return whether the stream has ended, failed or been closed */
    boolean isDone();

    /** Stops the stream and closes the connection; the sink gets nothing more. Idempotent. */
    @Override
    void close();
}
