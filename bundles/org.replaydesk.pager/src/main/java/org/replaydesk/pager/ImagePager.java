package org.replaydesk.pager;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/** Opens images on chunk servers, reading them through this host's {@link ChunkCache}. */
@ProviderType
public interface ImagePager {

    /**
     * @param server the chunk server
     * @param imageId the image
     * @return the open image
     * @throws org.replaydesk.api.ReplayDeskException when the server cannot be reached, refuses the connection
     *     (the message carries its reason) or has no such image
     */
    RemoteImage open(InetSocketAddress server, String imageId);

    /**
     * Opens an image with its own read-ahead instead of the configured one: a sequential reader (QEMU's loadvm of a
     * vmstate) gains from a wide window, a random one (a replayer's page faults into snapshot memory) only pays for
     * chunks it never reads.
     *
     * @param readAhead chunks requested beyond each read that missed the cache, 0 to 1024
     * @throws org.replaydesk.api.ReplayDeskException as {@link #open(InetSocketAddress, String)}, or (invalid
     *     argument) for a read-ahead out of range
     * @since 1.4
     */
    RemoteImage open(InetSocketAddress server, String imageId, int readAhead);

    /** @return the shared cache */
    ChunkCache cache();
}
