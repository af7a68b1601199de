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

    /** @return the shared cache */
    ChunkCache cache();
}
