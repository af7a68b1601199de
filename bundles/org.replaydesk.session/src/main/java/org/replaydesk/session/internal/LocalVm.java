package org.replaydesk.session.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;

import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.replay.ReplayOptions;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A VM in this container: the one-host session, where server and client are the same Karaf. */
final class LocalVm implements ServedVm {

    private static final Logger LOG = LoggerFactory.getLogger(LocalVm.class);

    private final VirtualMachine vm;
    private final SnapshotService snapshots;
    private final IntSupplier recordLogPort;
    private final LogCompression logCompression;
    private final HostCpu.ProcessCpu vmCpu;
    private final CounterRate vmNetwork = new CounterRate();
    private int logSamples;
    private int roundTripSamples;
    private volatile Duration roundTrip = Duration.ZERO;

    LocalVm(VirtualMachine vm, SnapshotService snapshots, IntSupplier recordLogPort) {
        this.vm = vm;
        this.snapshots = snapshots;
        this.recordLogPort = recordLogPort;
        this.logCompression = new LogCompression(vm.recordLog());
        this.vmCpu = new HostCpu.ProcessCpu(HostCpu.qemuPid(vm));
    }

    @Override
    public VmName name() {
        return vm.name();
    }

    @Override
    public DisplaySource displaySource() {
        return DisplaySource.unixSocket(vm.vncSocket());
    }

    @Override
    public long logBytes() {
        long size = vm.status().logBytes();
        if (logSamples++ % 5 == 0) {
            logCompression.probe(size);
        }
        return size;
    }

    @Override
    public double logCompressionRatio() {
        return logCompression.ratio();
    }

    @Override
    public void observeReplayLog(long logBytes, long logWireBytes) {
        // The local probe of the log file already knows.
    }

    @Override
    public double vmCpuLoad(long nowNanos) {
        return vmCpu.load(nowNanos);
    }

    @Override
    public double vmNetworkBytesPerSecond(long nowNanos) {
        return vmNetwork.rate(vm.networkBytes(), nowNanos);
    }

    @Override
    public Duration roundTrip() {
        // A connect to the record-log port every 10th tick: loopback here, but the same measure as ever.
        if (roundTripSamples++ % 10 == 0) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", recordLogPort.getAsInt()), 1000);
                roundTrip = Duration.ofNanos(System.nanoTime() - t0);
            } catch (IOException e) {
                roundTrip = Duration.ZERO;
            }
        }
        return roundTrip;
    }

    @Override
    public JoinSnapshot takeJoinSnapshot() {
        SnapshotInfo info = snapshots.take(vm.name(), SnapshotTrigger.JOIN,
                (phase, done, total) -> LOG.debug("snapshot of {}: {} {}/{}", vm.name(), phase, done, total));
        return new JoinSnapshot(info.tag(), info.stall());
    }

    @Override
    public ReplayOptions replayOptions(SnapshotTag snapshot) {
        return new ReplayOptions(Optional.empty(), Optional.of(snapshot), false);
    }

    @Override
    public String server() {
        return "local";
    }

    @Override
    public void close() {
        // Nothing to release: the VM is this container's.
    }
}
