package org.replaydesk.session.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.api.session.ServerSessionAgent;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of two-host sessions: a client host's session asks this host, through the pager's chunk server,
 * for JOIN snapshots of a VM and for the VM's status (its record log size, where its relay display listens and how
 * that display authenticates, the CPU time and network bytes the VM has used). This host only records, snapshots and
 * serves; the client decides the mode.
 */
@Component(service = ServerSessionAgent.class, immediate = true)
public class ServerAgent implements ServerSessionAgent {

    private static final Logger LOG = LoggerFactory.getLogger(ServerAgent.class);

    private final Hypervisor hypervisor;
    private final SnapshotService snapshots;
    private final DisplayService displays;
    private final SecurityProbe probe;
    /** Security kind per relay display port: probing costs the relay a connection, so once per display. */
    private final Map<InetSocketAddress, String> securityByDisplay = new ConcurrentHashMap<>();

    /** What tells how a relay display authenticates; a seam for tests. */
    interface SecurityProbe {
        /** @return one of the {@link ServedVmStatus} SECURITY_ constants */
        String securityOf(InetSocketAddress display);
    }

    @Activate
    public ServerAgent(@Reference Hypervisor hypervisor, @Reference SnapshotService snapshots,
            @Reference DisplayService displays) {
        this(hypervisor, snapshots, displays, ServerAgent::probeRfbSecurity);
    }

    ServerAgent(Hypervisor hypervisor, SnapshotService snapshots, DisplayService displays, SecurityProbe probe) {
        this.hypervisor = hypervisor;
        this.snapshots = snapshots;
        this.displays = displays;
        this.probe = probe;
    }

    @Override
    public JoinSnapshot takeJoinSnapshot(VmName name) {
        VirtualMachine vm = vm(name);
        if (vm.state() != VmState.RUNNING) {
            throw ReplayDeskException.conflict("VM " + name + " is " + vm.state().name().toLowerCase(Locale.ROOT)
                    + ": a join snapshot needs it running");
        }
        if (vm.spec().mode() != RecordReplayMode.RECORD) {
            throw ReplayDeskException.conflict("VM " + name + " does not run under record: a client cannot replay "
                    + "it (create it with record/replay mode record)");
        }
        SnapshotInfo info = snapshots.take(name, SnapshotTrigger.JOIN,
                (phase, done, total) -> LOG.debug("join snapshot of {}: {} {}/{}", name, phase, done, total));
        LOG.info("join snapshot {} of {} for a client session (stall {} ms)", info.tag(), name,
                info.stall().toMillis());
        return new JoinSnapshot(info.tag(), info.stall());
    }

    /**
     * {@inheritDoc}
     *
     * <p>The VM's CPU time and network bytes go as cumulative counters, read afresh for each request: this host keeps
     * nothing per client, and each client turns its own successive answers into rates.
     */
    @Override
    public ServedVmStatus status(VmName name) {
        VirtualMachine vm = vm(name);
        VmStatus vmStatus = vm.status();
        long logBytes = vmStatus.logBytes();
        Optional<DisplayInfo> display = displays.display(name);
        String host = display.map(d -> d.address().getHostString()).orElse("");
        int port = display.map(d -> d.address().getPort()).orElse(0);
        String security = display.map(d -> securityByDisplay.computeIfAbsent(d.address(), this::probeOnce))
                .orElse(ServedVmStatus.SECURITY_UNKNOWN);
        // The short (2 s) rate: the client calibrates it against its own short display rate.
        Optional<InteractionStats> interaction = displays.interaction(name);
        // Only a VM with a process has a pid worth reading: the pid file of a QEMU that died may name another
        // program by now.
        OptionalLong cpuNanos = vmStatus.state().hasProcess() ? HostCpu.processCpuNanos(HostCpu.qemuPid(vm))
                : OptionalLong.empty();
        OptionalLong networkBytes = vm.networkBytes();
        return new ServedVmStatus(Math.max(0, logBytes), host, port, security,
                interaction.map(InteractionStats::shortDamagedPixelsPerSecond).orElse(-1.0),
                interaction.map(InteractionStats::inputEvents).orElse(-1), cpuNanos.orElse(-1),
                networkBytes.orElse(-1));
    }

    private String probeOnce(InetSocketAddress display) {
        return probe.securityOf(display);
    }

    private VirtualMachine vm(VmName name) {
        return hypervisor.find(name).orElseThrow(() -> ReplayDeskException.notFound("no VM " + name
                + " on the server host (desk:vm-list there shows them)"));
    }

    /**
     * Reads the security types a relay display offers: the RFB 3.8 handshake up to its type list, then hangs up
     * (the relay sees a viewer that left before authenticating).
     *
     * @return the display's most preferred kind, or unknown when it did not answer like an RFB 3.8 server
     */
    static String probeRfbSecurity(InetSocketAddress display) {
        InetSocketAddress target = display.getAddress() != null && display.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress("127.0.0.1", display.getPort()) : display;
        try (Socket s = new Socket()) {
            s.connect(target, 2000);
            s.setSoTimeout(2000);
            return securityKind(s.getInputStream(), s.getOutputStream());
        } catch (IOException e) {
            LOG.debug("cannot probe display {}: {}", display, e.toString());
            return ServedVmStatus.SECURITY_UNKNOWN;
        }
    }

    /** The handshake of {@link #probeRfbSecurity}, over any streams. */
    static String securityKind(InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] version = new byte[12];
        data.readFully(version);
        if (!new String(version, StandardCharsets.US_ASCII).startsWith("RFB 003.")) {
            return ServedVmStatus.SECURITY_UNKNOWN;
        }
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int count = data.readUnsignedByte();
        if (count == 0) {
            return ServedVmStatus.SECURITY_UNKNOWN;
        }
        switch (data.readUnsignedByte()) {
            case 1: return ServedVmStatus.SECURITY_NONE;
            case 2: return ServedVmStatus.SECURITY_VNCAUTH;
            case 19: return ServedVmStatus.SECURITY_VENCRYPT;
            default: return ServedVmStatus.SECURITY_UNKNOWN;
        }
    }
}
