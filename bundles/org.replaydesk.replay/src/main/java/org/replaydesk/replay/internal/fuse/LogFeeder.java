package org.replaydesk.replay.internal.fuse;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.recordlog.Heartbeat;
import org.replaydesk.recordlog.RecordLogSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordLogSink} that appends a subscription's stream to an rdfuse LOG: data with DATA, the end with END,
 * a broken stream with ABORT (the replayer's blocked read then fails with EIO instead of waiting forever). The log
 * must be declared first ({@link RdfuseProcess#declareLog} with the subscription's start offset). The final header
 * bytes that {@code onEnd} carries are ignored: rdfuse always serves bytes 0-3 as QEMU 7.2's version.
 *
 * <p>The first failure (the stream's error, or rdfuse refusing or losing DATA) is remembered; the log is aborted
 * and everything after it is ignored.
 */
public final class LogFeeder implements RecordLogSink {

    private static final Logger LOG = LoggerFactory.getLogger(LogFeeder.class);

    private final RdfuseProcess rdfuse;
    private final String name;
    private final AtomicLong bytesAppended = new AtomicLong();
    private volatile String failure;
    private volatile Heartbeat lastHeartbeat;

    /**
     * @param rdfuse the helper
     * @param name the declared log's name
     */
    public LogFeeder(RdfuseProcess rdfuse, String name) {
        this.rdfuse = rdfuse;
        this.name = name;
    }

    @Override
    public void onData(long offset, byte[] bytes) {
        if (failure != null) {
            return;
        }
        try {
            rdfuse.appendLog(name, offset, bytes, 0, bytes.length);
            bytesAppended.addAndGet(bytes.length);
        } catch (ReplayDeskException e) {
            fail("appending " + bytes.length + " bytes at " + offset + " to log " + name + " failed: "
                    + e.getMessage());
        }
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {
        lastHeartbeat = heartbeat;
    }

    @Override
    public void onEnd(long finalSize, byte[] header) {
        if (failure != null) {
            return;
        }
        try {
            long size = rdfuse.endLog(name);
            if (size != finalSize) {
                // Not possible while offsets are checked by DATA, but a short file would replay wrongly.
                failure = "log " + name + " ended with " + size + " bytes in rdfuse, but the recorder's log has "
                        + finalSize;
                LOG.warn(failure);
            }
        } catch (ReplayDeskException e) {
            fail("ending log " + name + " failed: " + e.getMessage());
        }
    }

    @Override
    public void onError(ReplayDeskException error) {
        fail(error.getMessage());
    }

    private void fail(String reason) {
        if (failure != null) {
            return;
        }
        failure = reason;
        LOG.warn("log {}: {}; aborting it in rdfuse", name, reason);
        try {
            rdfuse.abort(name, reason);
        } catch (ReplayDeskException e) {
            LOG.debug("log {}: ABORT failed too: {}", name, e.getMessage());
        }
    }

    /** @return the first failure, if any */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** @return bytes rdfuse accepted */
    public long bytesAppended() {
        return bytesAppended.get();
    }

    /** @return the newest heartbeat of the stream */
    public Optional<Heartbeat> lastHeartbeat() {
        return Optional.ofNullable(lastHeartbeat);
    }
}
