package org.replaydesk.session.internal;

import java.time.Duration;

import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.replay.ReplayOptions;

/**
 * Where a session's VM runs, seen from the client host that runs the session: in this container ({@link LocalVm})
 * or on a server host reached through its session agent ({@link RemoteVm}). Everything a session asks of the server
 * side goes through here; the replayer and the viewers' display are always the client's.
 */
interface ServedVm {

    /** @return the VM's name (on its host) */
    VmName name();

    /** @return where the session display takes the VM's pixels from and sends input to */
    DisplaySource displaySource();

    /** @return the VM's record log size so far, in bytes; called once per tick */
    long logBytes();

    /** @return the record log's estimated wire bytes per log byte (the log streams compressed) */
    double logCompressionRatio();

    /**
     * Learns from a running replay what the log costs on the wire.
     *
     * @param logBytes log bytes the replayer received
     * @param logWireBytes what they took on the network
     */
    void observeReplayLog(long logBytes, long logWireBytes);

    /**
     * @param nowNanos the tick's time
     * @return the VM's CPU use in cores (a VM on another host: between the server's last two status answers), NaN
     *     when unknown
     */
    double vmCpuLoad(long nowNanos);

    /**
     * @param nowNanos the tick's time
     * @return the VM's network traffic since the last call (a VM on another host: between the server's last two
     *     status answers), bytes per second both directions; NaN on the first call and when unknown
     */
    double vmNetworkBytesPerSecond(long nowNanos);

    /**
     * @return the server's own measure of the VM's screen damage (pixels per second over about 2 s) when the VM runs
     *         on another host; empty for a local VM, whose damage the session reads from its own display's probe
     */
    default java.util.OptionalDouble serverDamagedPixelsPerSecond() {
        return java.util.OptionalDouble.empty();
    }

    /** @return the round trip to the server host, zero when unknown */
    Duration roundTrip();

    /** @return a fresh JOIN snapshot for a replayer to start from */
    JoinSnapshot takeJoinSnapshot();

    /**
     * @param snapshot the snapshot just taken
     * @return how this host's replayer follows the VM from it
     */
    ReplayOptions replayOptions(SnapshotTag snapshot);

    /** @return how {@code desk:session-list} names where the VM runs: {@code local} or the server's address */
    String server();

    /** Releases connections to the server; the VM keeps running. */
    void close();
}
