package org.replaydesk.recordlog.internal;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.IcountSource;

/**
 * One published log: the file, the latest icount sample and whether the recorder has ended. Sessions read the
 * sample instead of asking the VM themselves, so a slow monitor never stalls a network thread and many subscribers
 * cost one query per interval.
 */
final class LogPublication {

    final VmName vm;
    final Path log;
    final IcountSource icountSource;
    final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile long icount = HeartbeatFrame.UNKNOWN_ICOUNT;
    private volatile boolean recorderStopped;
    volatile ScheduledFuture<?> sampler;

    LogPublication(VmName vm, Path log, IcountSource icountSource) {
        this.vm = vm;
        this.log = log;
        this.icountSource = icountSource;
    }

    /** Called on the sampler thread. */
    void sampleIcount() {
        try {
            icount = icountSource.icount().orElse(HeartbeatFrame.UNKNOWN_ICOUNT);
        } catch (RuntimeException e) {
            // a VM between states cannot answer; the heartbeat then says "unknown" rather than a stale number
            icount = HeartbeatFrame.UNKNOWN_ICOUNT;
        }
    }

    long icount() {
        return icount;
    }

    boolean recorderStopped() {
        return recorderStopped;
    }

    void markRecorderStopped() {
        recorderStopped = true;
    }
}
