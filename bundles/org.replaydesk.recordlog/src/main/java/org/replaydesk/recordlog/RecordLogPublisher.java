package org.replaydesk.recordlog;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/**
 * The server side: streams the record logs of recording VMs to subscribers on one TCP endpoint. The DS component
 * publishes every recording VM of the hypervisor by itself; this interface is for callers that record by other means
 * and for tests.
 */
@ProviderType
public interface RecordLogPublisher {

    /** @return the address subscribers connect to */
    InetSocketAddress address();

    /**
     * Makes a growing log available under a VM name, replacing an earlier publication of that name (its subscribers
     * are disconnected with an error: a new recording is a new log).
     *
     * @param vm the name subscribers ask for
     * @param log the log file QEMU writes; it need not exist yet
     * @param icount the recording VM's instruction count, for heartbeats
     */
    void publish(VmName vm, Path log, IcountSource icount);

    /**
     * Tells the publisher the recorder has ended: subscribers get the rest of the file and then the end of the stream
     * (when QEMU finished the log) or an error (when it ended without finishing it, for example when it was killed).
     * The publication stays, so a late subscriber still gets the whole log.
     *
     * @param vm a published VM; unknown names are ignored
     */
    void recorderStopped(VmName vm);

    /**
     * Withdraws a publication; its subscribers get an error.
     *
     * @param vm a published VM; unknown names are ignored
     */
    void unpublish(VmName vm);

    /** @return the VMs published now */
    Set<VmName> published();
}
