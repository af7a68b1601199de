package org.replaydesk.pager.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ReplayDesk pager", description = "Chunk store and server (server role), chunk cache and "
        + "remote images (client role)")
@interface PagerConfiguration {

    @AttributeDefinition(description = "Folder of the chunk store; empty: ${karaf.data}/replaydesk/pager/store")
    String store_dir() default "";

    @AttributeDefinition(description = "Folder of the chunk cache; empty: ${karaf.data}/replaydesk/pager/cache")
    String cache_dir() default "";

    @AttributeDefinition(description = "Most MiB of chunks the cache keeps; least recently used chunks are evicted")
    long cache_size_mb() default 4096;

    @AttributeDefinition(description = "How new images are cut into chunks: 'content' (content-defined, gear "
            + "rolling hash: an insertion shifts no later chunk, so a newer snapshot shares far more chunks with an "
            + "older one; see the Content-defined chunking section of docs/benchmarks.md) or 'fixed' (chunk.size)")
    String chunking() default "content";

    @AttributeDefinition(description = "Chunk size in bytes for new images when chunking is 'fixed': a power of two "
            + "from 4096 to 16777216 (see the Chunk size section of docs/benchmarks.md for the choice)")
    int chunk_size() default 65536;

    @AttributeDefinition(description = "Content-defined chunking: shortest chunk in bytes (at least 64, less than "
            + "chunk.average.size)")
    int chunk_min_size() default 8192;

    @AttributeDefinition(description = "Content-defined chunking: average chunk size in bytes, a power of two")
    int chunk_average_size() default 32768;

    @AttributeDefinition(description = "Content-defined chunking: longest chunk in bytes (more than "
            + "chunk.average.size, at most 16777216)")
    int chunk_max_size() default 131072;

    @AttributeDefinition(description = "Serve the chunk store over TCP")
    boolean server_enabled() default true;

    @AttributeDefinition(description = "Send chunks that raw deflate shrinks by at least 1/8 compressed, to clients "
            + "of protocol version 2 (see the Chunk compression section of docs/benchmarks.md); off: plain chunks, "
            + "saving the server's CPU where the network is fast")
    boolean chunk_compression() default true;

    @AttributeDefinition(description = "Address the chunk server listens on; off loopback a token is required")
    String listen_address() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port of the chunk server")
    int port() default 5691;

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Shared token clients must send and this host "
            + "sends to servers; prefer '.token', which is not published as a service property")
    String token() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Shared token, kept out of the service "
            + "properties; wins over 'token'")
    String _token() default "";

    @AttributeDefinition(description = "PKCS12 keystore with the chunk server's TLS certificate and key; empty: clear "
            + "text (warned about off loopback)")
    String tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of tls.keystore and its key; prefer "
            + "'.tls.keystore.password'")
    String tls_keystore_password() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of tls.keystore, kept out of the "
            + "service properties; wins over 'tls.keystore.password'")
    String _tls_keystore_password() default "";

    @AttributeDefinition(description = "PEM file of CA certificates; when set, this host reaches chunk servers over "
            + "TLS and checks their certificate and host name")
    String client_tls_trust() default "";

    @AttributeDefinition(description = "Chunks fetched beyond a read that missed the cache, in the same request")
    // 32: about 1 MiB at the content-defined chunks' 32 KiB average, what 16 fixed 64 KiB chunks were; with 16 the
    // first join's sequential loadvm made twice the round trips.
    int read_ahead() default 32;

    @AttributeDefinition(description = "Longest wait, in seconds, for a connection or a reply from a chunk server")
    int timeout_seconds() default 30;
}
