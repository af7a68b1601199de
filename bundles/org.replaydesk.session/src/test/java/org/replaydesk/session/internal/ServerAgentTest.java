package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;

/** The server side of two-host sessions against fake hosts: snapshots, status, the relay's security probe. */
class ServerAgentTest {

    static final VmName FAR = VmName.of("far");

    final AtomicReference<VmState> state = new AtomicReference<>(VmState.RUNNING);
    final AtomicReference<RecordReplayMode> mode = new AtomicReference<>(RecordReplayMode.RECORD);
    final AtomicReference<SnapshotTrigger> trigger = new AtomicReference<>();
    final AtomicInteger probes = new AtomicInteger();
    final AtomicReference<OptionalLong> networkBytes = new AtomicReference<>(OptionalLong.empty());

    /** The VM's state directory: the record log and, when a test writes one, qemu.pid. */
    @TempDir
    Path vmDir;

    VirtualMachine vm() {
        return Fakes.of(VirtualMachine.class, Map.of(
                "name", a -> FAR,
                "state", a -> state.get(),
                "spec", a -> VmSpec.builder(FAR).mode(mode.get()).build(),
                "status", a -> new VmStatus(FAR, state.get(), mode.get(), OptionalLong.empty(), 123_456,
                        Duration.ZERO, "anim", Optional.empty(), Optional.empty()),
                "recordLog", a -> vmDir.resolve("record.log"),
                "networkBytes", a -> networkBytes.get()));
    }

    ServerAgent agent(Optional<DisplayInfo> display) {
        VirtualMachine vm = vm();
        Hypervisor hypervisor = Fakes.of(Hypervisor.class, Map.of(
                "find", a -> a[0].equals(FAR) ? Optional.of(vm) : Optional.empty()));
        SnapshotService snapshots = Fakes.of(SnapshotService.class, Map.of("take", a -> {
            trigger.set((SnapshotTrigger) a[1]);
            return new SnapshotInfo(FAR, SnapshotTag.of("far-join-1"), SnapshotTrigger.JOIN, Instant.EPOCH, 1, 0,
                    Duration.ofMillis(250), "far-join-1", 1, Optional.empty());
        }));
        // The server's own damage measure: the short (2 s) rate is what travels, the 20 s one does not.
        DisplayService displays = Fakes.of(DisplayService.class, Map.of("display", a -> display,
                "interaction", a -> display.map(d -> new InteractionStats(Duration.ofSeconds(10), 7, 12.0,
                        Duration.ofSeconds(20), 1_000.0, Duration.ofSeconds(2), 2_500.0, 99_000, 40, true))));
        return new ServerAgent(hypervisor, snapshots, displays, address -> {
            probes.incrementAndGet();
            return ServedVmStatus.SECURITY_VNCAUTH;
        });
    }

    static Optional<DisplayInfo> display(String host, int port) {
        return Optional.of(new DisplayInfo(FAR, new InetSocketAddress(host, port), 0, 640, 480, true));
    }

    @Test
    void aJoinSnapshotIsTakenWithTheJoinTrigger() {
        JoinSnapshot snapshot = agent(Optional.empty()).takeJoinSnapshot(FAR);
        assertEquals(new JoinSnapshot(SnapshotTag.of("far-join-1"), Duration.ofMillis(250)), snapshot);
        assertEquals(SnapshotTrigger.JOIN, trigger.get());
    }

    @Test
    void onlyARunningRecordingVmIsSnapshotted() {
        ServerAgent agent = agent(Optional.empty());
        mode.set(RecordReplayMode.NONE);
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> agent.takeJoinSnapshot(FAR));
        assertEquals(Status.CONFLICT, e.status());
        assertTrue(e.getMessage().contains("does not run under record"), e.getMessage());
        mode.set(RecordReplayMode.RECORD);
        state.set(VmState.PAUSED);
        assertEquals(Status.CONFLICT, assertThrows(ReplayDeskException.class,
                () -> agent.takeJoinSnapshot(FAR)).status());
        assertEquals(null, trigger.get());
    }

    @Test
    void anUnknownVmIsNotFound() {
        ServerAgent agent = agent(Optional.empty());
        assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class,
                () -> agent.status(VmName.of("near"))).status());
        assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class,
                () -> agent.takeJoinSnapshot(VmName.of("near"))).status());
    }

    @Test
    void statusNamesTheLogAndTheRelayDisplayAndProbesItOnce() {
        ServerAgent agent = agent(display("127.0.0.1", 5750));
        ServedVmStatus first = agent.status(FAR);
        assertEquals(new ServedVmStatus(123_456, "127.0.0.1", 5750, "vncauth", 2_500.0, 7), first);
        agent.status(FAR);
        assertEquals(1, probes.get(), "the relay must be probed once per display, not every tick");
    }

    @Test
    void statusCarriesTheVmsCpuTimeAndNetworkBytes() throws IOException {
        // This test's own JVM stands in for the VM's QEMU process: its pid file names it.
        Files.writeString(vmDir.resolve("qemu.pid"), ProcessHandle.current().pid() + "\n");
        networkBytes.set(OptionalLong.of(8_388_992));
        ServedVmStatus status = agent(Optional.empty()).status(FAR);
        long cpuAfter = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        assertTrue(status.vmCpuNanos() > 0 && status.vmCpuNanos() <= cpuAfter,
                status.vmCpuNanos() + " ns of CPU, the JVM says " + cpuAfter);
        assertEquals(0, status.vmCpuNanos() % 10_000_000, "whole 10 ms ticks");
        assertEquals(8_388_992, status.vmNetworkBytes());
    }

    @Test
    void unknownCountersAreMinusOne() throws IOException {
        // No pid file, no network count.
        ServedVmStatus status = agent(Optional.empty()).status(FAR);
        assertEquals(-1, status.vmCpuNanos());
        assertEquals(-1, status.vmNetworkBytes());
        // A pid file, but the VM has no process any more: the pid may be another program's by now.
        Files.writeString(vmDir.resolve("qemu.pid"), Long.toString(ProcessHandle.current().pid()));
        state.set(VmState.FAILED);
        assertEquals(-1, agent(Optional.empty()).status(FAR).vmCpuNanos());
        // A process that is gone.
        state.set(VmState.RUNNING);
        Files.writeString(vmDir.resolve("qemu.pid"), "999999999");
        assertEquals(-1, agent(Optional.empty()).status(FAR).vmCpuNanos());
    }

    @Test
    void aVmWithoutDisplayHasPortZero() {
        ServedVmStatus status = agent(Optional.empty()).status(FAR);
        assertEquals(Optional.empty(), status.display());
        assertEquals(ServedVmStatus.SECURITY_UNKNOWN, status.displaySecurity());
        assertEquals(0, probes.get());
    }

    private static String probe(byte... serverBytes) throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        String kind = ServerAgent.securityKind(new ByteArrayInputStream(serverBytes), sent);
        if (serverBytes.length > 12) {
            assertEquals("RFB 003.008\n", sent.toString(StandardCharsets.US_ASCII));
        }
        return kind;
    }

    private static byte[] handshake(int... types) {
        byte[] version = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[version.length + 1 + types.length];
        System.arraycopy(version, 0, out, 0, version.length);
        out[version.length] = (byte) types.length;
        for (int i = 0; i < types.length; i++) {
            out[version.length + 1 + i] = (byte) types[i];
        }
        return out;
    }

    @Test
    void theProbeReadsTheMostPreferredSecurityType() throws IOException {
        assertEquals("none", probe(handshake(1)));
        assertEquals("vncauth", probe(handshake(2, 1)));
        assertEquals("vencrypt", probe(handshake(19, 2)));
        assertEquals("unknown", probe(handshake(16)));
        // Zero types: the server refuses (a reason follows); the probe cannot tell.
        assertEquals("unknown", probe(handshake()));
        assertEquals("unknown", probe("SSH-2.0-Open".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aProbeOfAClosedPortIsUnknown() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertEquals("unknown", ServerAgent.probeRfbSecurity(new InetSocketAddress("127.0.0.1", port)));
    }
}
