package org.replaydesk.recordlog;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/** The client side: subscribes to a VM's record log on a streaming server. */
@ProviderType
public interface RecordLogSubscriber {

    /**
     * Starts streaming. Returns at once; the connection is made in the background and everything, including a
     * failure to connect, reaches the sink.
     *
     * @param server the publisher's address
     * @param vm the VM whose log to stream
     * @param startOffset first log byte wanted (0, or a snapshot's log offset)
     * @param sink receives the stream
     * @param options token, buffer size, TLS, reconnection
     * @return the running subscription
     */
    Subscription subscribe(InetSocketAddress server, VmName vm, long startOffset, RecordLogSink sink,
            SubscriptionOptions options);
}
