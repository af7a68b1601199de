package org.replaydesk.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;

/**
 * A replay session's state and numbers at one moment.
 *
 * @param vm the recording VM (on the server)
 * @param replayer the local replaying VM
 * @param state where the session is
 * @param snapshot the snapshot it started from
 * @param serverIcount the recorder's instruction count in the newest heartbeat (-1 before the first)
 * @param clientIcount the replayer's instruction count (-1 while unknown)
 * @param lagInstructions serverIcount - clientIcount, never negative (-1 while unknown)
 * @param lag the same as time, at the recorder's measured instructions per second (empty while unknown)
 * @param caughtUp whether the replayer waits for log bytes that have not arrived (it has replayed everything)
 * @param logBytes record-log bytes received (from the snapshot's log offset on)
 * @param logWireBytes bytes the log took on the network (compressed)
 * @param chunkBytes image bytes fetched from the chunk server (chunks the local cache lacked), uncompressed: the
 *     chunks' own sizes
 * @param chunkWireBytes bytes those chunks took on the network (compressed ones at their compressed size, plus
 *     framing): the chunk traffic, which sessions and benchmarks count
 * @param chunksFetched chunks fetched from the chunk server
 * @param startup from the start request until the replayer first caught up (empty until then)
 * @param vncSocket the replayer's VNC unix socket (a display source)
 * @param failure why the session failed or ended
 * @param stall while the replayer has made no progress for {@link #STALL_AFTER} although the recorder is ahead: why,
 *     as far as the client can tell (what the replayer waits for: record-log bytes, image chunks, a page of its
 *     snapshot memory, or nothing it reads, which means its replay diverged); empty while it advances
 * @param rejoin when this replay replaced one that diverged (see {@link ReplayOptions#rejoinOnDivergence()}): how
 *        often that happened for this VM and why, last time; empty otherwise
 * @since 1.2 (stall), 1.3 (rejoin)
 */
public record ReplayStatus(VmName vm, VmName replayer, ReplayState state, SnapshotTag snapshot, long serverIcount,
        long clientIcount, long lagInstructions, Optional<Duration> lag, boolean caughtUp, long logBytes,
        long logWireBytes, long chunkBytes, long chunkWireBytes, long chunksFetched, Optional<Duration> startup, Path vncSocket,
        Optional<String> failure, Optional<String> stall, Optional<String> rejoin) {

    /** How long a replayer that is behind must stay at one instruction count before it counts as stalled. */
    public static final Duration STALL_AFTER = Duration.ofSeconds(10);

    public ReplayStatus {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(replayer, "replayer");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(startup, "startup");
        Objects.requireNonNull(vncSocket, "vncSocket");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(stall, "stall");
        Objects.requireNonNull(rejoin, "rejoin");
    }

    /** The 1.2 shape, without a rejoin. */
    public ReplayStatus(VmName vm, VmName replayer, ReplayState state, SnapshotTag snapshot, long serverIcount,
            long clientIcount, long lagInstructions, Optional<Duration> lag, boolean caughtUp, long logBytes,
            long logWireBytes, long chunkBytes, long chunkWireBytes, long chunksFetched, Optional<Duration> startup,
            Path vncSocket, Optional<String> failure, Optional<String> stall) {
        this(vm, replayer, state, snapshot, serverIcount, clientIcount, lagInstructions, lag, caughtUp, logBytes,
                logWireBytes, chunkBytes, chunkWireBytes, chunksFetched, startup, vncSocket, failure, stall,
                Optional.empty());
    }

    /** The 1.1 shape, without a stall diagnosis. */
    public ReplayStatus(VmName vm, VmName replayer, ReplayState state, SnapshotTag snapshot, long serverIcount,
            long clientIcount, long lagInstructions, Optional<Duration> lag, boolean caughtUp, long logBytes,
            long logWireBytes, long chunkBytes, long chunkWireBytes, long chunksFetched, Optional<Duration> startup,
            Path vncSocket, Optional<String> failure) {
        this(vm, replayer, state, snapshot, serverIcount, clientIcount, lagInstructions, lag, caughtUp, logBytes,
                logWireBytes, chunkBytes, chunkWireBytes, chunksFetched, startup, vncSocket, failure, Optional.empty(),
                Optional.empty());
    }
}
