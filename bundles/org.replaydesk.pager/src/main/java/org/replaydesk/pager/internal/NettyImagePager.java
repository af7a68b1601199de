package org.replaydesk.pager.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.replaydesk.pager.ChunkCache;
import org.replaydesk.pager.ImagePager;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/** Opens {@link CachedRemoteImage}s: one connection per open image, all sharing one cache. */
public final class NettyImagePager implements ImagePager {

    private final ChunkCache cache;
    private final EventLoopGroup group;
    private final String token;
    private final SslContext tls;
    private final int readAhead;
    private final Duration timeout;

    /**
     * @param cache the shared cache
     * @param group event loops for the connections
     * @param token token sent in HELLO (empty: none)
     * @param tls TLS for the connections, or null for clear text
     * @param readAhead chunks fetched beyond a read that missed the cache
     * @param timeout longest wait for a connection or a reply
     */
    public NettyImagePager(ChunkCache cache, EventLoopGroup group, String token, SslContext tls, int readAhead,
            Duration timeout) {
        this.cache = cache;
        this.group = group;
        this.token = token;
        this.tls = tls;
        this.readAhead = readAhead;
        this.timeout = timeout;
    }

    @Override
    public RemoteImage open(InetSocketAddress server, String imageId) {
        return open(server, imageId, readAhead);
    }

    @Override
    public RemoteImage open(InetSocketAddress server, String imageId, int readAhead) {
        if (readAhead < 0 || readAhead > PagerMessage.MAX_BATCH) {
            throw org.replaydesk.api.ReplayDeskException.invalid("read-ahead " + readAhead + " for image " + imageId
                    + " is outside 0-" + PagerMessage.MAX_BATCH + " chunks");
        }
        Manifest.checkImageId(imageId);
        ChunkConnection connection = ChunkConnection.open(server, token, tls, group, timeout);
        try {
            Manifest manifest = connection.manifest(imageId);
            return new CachedRemoteImage(connection, server.getHostString() + ":" + server.getPort(), manifest, cache,
                    readAhead);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public ChunkCache cache() {
        return cache;
    }
}
