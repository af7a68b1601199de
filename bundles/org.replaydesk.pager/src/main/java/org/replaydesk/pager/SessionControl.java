package org.replaydesk.pager;

import java.net.InetSocketAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reaches the session agents of server hosts over their chunk servers' connections (token and TLS as for chunks):
 * a client host running a two-host session asks the server for JOIN snapshots and for the VM's status through it.
 *
 * @since 1.2
 */
@ProviderType
public interface SessionControl {

    /**
     * @param chunkServer the server host's chunk server (the record-log port + 1 by default)
     * @return an agent that connects on its first request and reconnects after a failure
     */
    RemoteSessionAgent connect(InetSocketAddress chunkServer);
}
