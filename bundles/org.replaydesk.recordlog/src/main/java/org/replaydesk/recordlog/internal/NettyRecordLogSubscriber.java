package org.replaydesk.recordlog.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.RecordLogSink;
import org.replaydesk.recordlog.RecordLogSubscriber;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;

/** The client service: subscriptions share one event loop (a log stream is a few KB/s; one thread is plenty). */
@Component(service = RecordLogSubscriber.class)
public class NettyRecordLogSubscriber implements RecordLogSubscriber, AutoCloseable {

    private final EventLoopGroup group;
    private final boolean ownsGroup;

    /** For DS: its own event loop. */
    public NettyRecordLogSubscriber() {
        this(new NioEventLoopGroup(1, new DefaultThreadFactory("recordlog-client", true)), true);
    }

    /**
     * @param group event loops to use (tests share one)
     * @param ownsGroup whether {@link #close()} shuts the group down
     */
    public NettyRecordLogSubscriber(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    @Override
    public Subscription subscribe(InetSocketAddress server, VmName vm, long startOffset, RecordLogSink sink,
            SubscriptionOptions options) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(options, "options");
        SslContext tls;
        try {
            tls = options.tlsTrust().map(TlsContexts::client).orElse(null);
        } catch (IllegalArgumentException e) {
            throw ReplayDeskException.invalid(e.getMessage());
        }
        return new NettySubscription(server, vm, startOffset, sink, options, tls, group).start();
    }

    @Deactivate
    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
