package org.replaydesk.pager.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.CacheStats;
import org.replaydesk.pager.ChunkCache;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ChunkStore;
import org.replaydesk.pager.ImagePager;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;
import org.replaydesk.pager.RemoteSessionAgent;
import org.replaydesk.pager.SessionControl;
import org.replaydesk.api.session.ServerSessionAgent;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pager of one host, both roles: the chunk store and its TCP server (server role), and the chunk cache and
 * remote images (client role). One component, because both roles share the event loops and the token, and an
 * all-in-one host runs both. Configuration PID {@code org.replaydesk.pager}; a change restarts the component.
 */
@Component(service = {ChunkStore.class, ChunkCache.class, ImagePager.class, SessionControl.class},
        configurationPid = "org.replaydesk.pager",
        immediate = true)
@Designate(ocd = PagerConfiguration.class)
public class PagerService implements ChunkStore, ChunkCache, ImagePager, SessionControl {

    private static final Logger LOG = LoggerFactory.getLogger(PagerService.class);

    private final FileChunkStore store;
    private final FileChunkCache cache;
    private final EventLoopGroup group;
    private final ChunkServer server;
    private final NettyImagePager pager;
    private final String token;
    private final SslContext clientTls;
    private final Duration timeout;
    /** The session agent, when this host's session service runs; the chunk server hands it session requests. */
    private volatile ServerSessionAgent sessionAgent;

    /**
     * Validates the configuration, opens store and cache and starts the server; fails activation with a message
     * naming the setting that is wrong.
     *
     * @param config the configuration
     */
    @Activate
    public PagerService(PagerConfiguration config) {
        token = !config._token().isEmpty() ? config._token() : config.token();
        if (config.cache_size_mb() <= 0) {
            throw ReplayDeskException.invalid("cache.size.mb " + config.cache_size_mb() + " must be positive");
        }
        if (config.read_ahead() < 0 || config.read_ahead() > PagerMessage.MAX_BATCH) {
            throw ReplayDeskException.invalid("read.ahead " + config.read_ahead() + " must be 0 to "
                    + PagerMessage.MAX_BATCH);
        }
        if (config.timeout_seconds() <= 0) {
            throw ReplayDeskException.invalid("timeout.seconds " + config.timeout_seconds() + " must be positive");
        }
        Path data = Path.of(System.getProperty("karaf.data", "data"), "replaydesk", "pager");
        store = new FileChunkStore(dir(config.store_dir(), data.resolve("store")), config.chunk_size(),
                chunker(config));
        cache = new FileChunkCache(dir(config.cache_dir(), data.resolve("cache")), config.cache_size_mb() << 20);
        timeout = Duration.ofSeconds(config.timeout_seconds());
        clientTls = config.client_tls_trust().isBlank() ? null
                : PagerTls.client(Path.of(config.client_tls_trust().trim()));
        group = new NioEventLoopGroup(0, new DefaultThreadFactory("pager", true));
        try {
            server = config.server_enabled() ? startServer(config, token) : null;
            if (server != null) {
                server.sessionAgent(sessionAgent);
            }
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
        pager = new NettyImagePager(cache, group, token, clientTls, config.read_ahead(),
                Duration.ofSeconds(config.timeout_seconds()));
        CacheStats stats = cache.stats();
        LOG.info("Pager: store {} ({} chunks), cache {} ({} chunks, {} of {} MiB), server {}", store,
                store.chunker() != null ? store.chunker() : "fixed " + store.chunkSize(), cache.dir(),
                stats.chunks(), stats.bytes() >> 20, config.cache_size_mb(),
                server == null ? "off"
                        : server.address() + (config.chunk_compression() ? "" : " (chunk compression off)"));
    }

    // Optional and dynamic: the pager serves chunks whether or not sessions run here, and the session bundle depends
    // on the pager (through replay), so a mandatory reference would be a cycle.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindSessionAgent(ServerSessionAgent agent) {
        sessionAgent = agent;
        ChunkServer s = server;
        if (s != null) {
            s.sessionAgent(agent);
        }
    }

    void unbindSessionAgent(ServerSessionAgent agent) {
        if (sessionAgent == agent) {
            sessionAgent = null;
            ChunkServer s = server;
            if (s != null) {
                s.sessionAgent(null);
            }
        }
    }

    @Override
    public RemoteSessionAgent connect(InetSocketAddress chunkServer) {
        return new PagerSessionAgent(chunkServer, token, clientTls, group, timeout, System::nanoTime);
    }

    /**
     * @return the content-defined chunker the configuration asks for, or null for fixed chunks
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the setting that is wrong
     */
    static ContentDefinedChunker chunker(PagerConfiguration config) {
        String chunking = config.chunking() == null ? "" : config.chunking().trim();
        switch (chunking) {
            case "content":
                return new ContentDefinedChunker(config.chunk_min_size(), config.chunk_average_size(),
                        config.chunk_max_size());
            case "fixed":
                return null;
            default:
                throw ReplayDeskException.invalid("chunking '" + config.chunking() + "' is not 'content' or 'fixed'");
        }
    }

    private ChunkServer startServer(PagerConfiguration config, String token) {
        InetAddress address;
        try {
            address = InetAddress.getByName(config.listen_address().trim());
        } catch (UnknownHostException e) {
            throw ReplayDeskException.invalid("listen.address '" + config.listen_address() + "' does not resolve");
        }
        if (config.port() < 0 || config.port() > 65535) {
            throw ReplayDeskException.invalid("port " + config.port() + " is not a TCP port");
        }
        if (!address.isLoopbackAddress() && token.isEmpty()) {
            throw ReplayDeskException.invalid("listen.address " + address.getHostAddress() + " is not loopback: set "
                    + "'.token' so only clients that know it can read the store");
        }
        SslContext tls = null;
        if (!config.tls_keystore().isBlank()) {
            String password = !config._tls_keystore_password().isEmpty() ? config._tls_keystore_password()
                    : config.tls_keystore_password();
            tls = PagerTls.server(Path.of(config.tls_keystore().trim()), password.toCharArray());
        } else if (!address.isLoopbackAddress()) {
            LOG.warn("Pager: the chunk server on {} sends chunks in clear text; set tls.keystore to encrypt them",
                    address.getHostAddress());
        }
        return new ChunkServer(store, new InetSocketAddress(address, config.port()), token, tls, group,
                config.chunk_compression());
    }

    private static Path dir(String setting, Path fallback) {
        return setting.isBlank() ? fallback : Path.of(setting.trim());
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** @return the chunk server, when it runs */
    Optional<ChunkServer> server() {
        return Optional.ofNullable(server);
    }

    /** @return the chunk server's address, when it runs */
    Optional<InetSocketAddress> serverAddress() {
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    @Override
    public Manifest importImage(String imageId, Path image, ImportProgress progress) {
        return store.importImage(imageId, image, progress);
    }

    @Override
    public boolean removeImage(String imageId) {
        return store.removeImage(imageId);
    }

    @Override
    public Optional<Manifest> manifest(String imageId) {
        return store.manifest(imageId);
    }

    @Override
    public List<String> imageIds() {
        return store.imageIds();
    }

    @Override
    public Optional<byte[]> chunk(ChunkHash hash) {
        return store.chunk(hash);
    }

    @Override
    public int chunkSize() {
        return store.chunkSize();
    }

    @Override
    public Optional<byte[]> get(ChunkHash hash) {
        return cache.get(hash);
    }

    @Override
    public boolean contains(ChunkHash hash) {
        return cache.contains(hash);
    }

    @Override
    public void put(ChunkHash hash, byte[] data) {
        cache.put(hash, data);
    }

    @Override
    public long sizeLimit() {
        return cache.sizeLimit();
    }

    @Override
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public RemoteImage open(InetSocketAddress server, String imageId) {
        return pager.open(server, imageId);
    }

    @Override
    public RemoteImage open(InetSocketAddress server, String imageId, int readAhead) {
        return pager.open(server, imageId, readAhead);
    }

    @Override
    public ChunkCache cache() {
        return cache;
    }
}
