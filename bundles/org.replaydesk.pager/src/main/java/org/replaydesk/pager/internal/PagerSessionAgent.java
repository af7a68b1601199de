package org.replaydesk.pager.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.pager.RemoteSessionAgent;

/**
 * A {@link RemoteSessionAgent} over one pager connection, opened on demand. Requests are serialised (the protocol
 * lets a session request overlap nothing), and a failed request drops the connection so the next one starts afresh.
 */
final class PagerSessionAgent implements RemoteSessionAgent {

    /** A JOIN snapshot writes the VM's RAM and exports it to the chunk store: allow minutes, not the chunk timeout. */
    static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(5);

    private final InetSocketAddress server;
    private final String token;
    private final SslContext tls;
    private final EventLoopGroup group;
    private final Duration timeout;
    private final LongSupplier nanoTime;
    private ChunkConnection connection;
    private volatile Duration lastRoundTrip = Duration.ZERO;

    PagerSessionAgent(InetSocketAddress server, String token, SslContext tls, EventLoopGroup group, Duration timeout,
            LongSupplier nanoTime) {
        this.server = server;
        this.token = token;
        this.tls = tls;
        this.group = group;
        this.timeout = timeout;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized JoinSnapshot takeJoinSnapshot(VmName vm) {
        PagerMessage.SessionSnapshotReply reply = request(new PagerMessage.SessionSnapshotRequest(vm.value()),
                PagerMessage.SessionSnapshotReply.class, SNAPSHOT_TIMEOUT);
        return SessionRequests.snapshot(reply);
    }

    @Override
    public synchronized ServedVmStatus status(VmName vm) {
        long t0 = nanoTime.getAsLong();
        PagerMessage.SessionStatusReply reply = request(new PagerMessage.SessionStatusRequest(vm.value()),
                PagerMessage.SessionStatusReply.class, timeout);
        lastRoundTrip = Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - t0));
        return SessionRequests.status(reply);
    }

    private <T extends PagerMessage> T request(PagerMessage request, Class<T> expected, Duration wait) {
        if (connection == null) {
            connection = ChunkConnection.open(resolved(), token, tls, group, timeout);
        }
        try {
            return connection.session(request, expected, wait);
        } catch (ReplayDeskException e) {
            // The server's own refusals (no such VM, a conflict) leave the connection usable; anything else may not.
            if (e.status() == org.replaydesk.api.Status.NOT_FOUND || e.status() == org.replaydesk.api.Status.CONFLICT) {
                throw e;
            }
            close();
            throw e;
        }
    }

    private InetSocketAddress resolved() {
        return server.isUnresolved() ? new InetSocketAddress(server.getHostString(), server.getPort()) : server;
    }

    @Override
    public Duration lastRoundTrip() {
        return lastRoundTrip;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @Override
    public String toString() {
        return "PagerSessionAgent[" + server.getHostString() + ":" + server.getPort() + "]";
    }
}
