package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.snapshot.SnapshotService;

/**
 * {@link SessionManager#metrics}: a real session on a fake VM and display, ticking every 100 ms. The first tick is
 * held back at the display's traffic reading, so "no snapshot yet" is seen for certain, not by luck of timing.
 */
class SessionManagerMetricsTest {

    static final VmName DESK = VmName.of("desk");

    /** The VM's state directory: record.log and qemu.pid, as the QEMU driver keeps them. */
    @TempDir
    Path vmDir;

    @TempDir
    Path karafData;

    /** Stands in for the record-log streamer, so the session's round-trip probe connects to this test only. */
    ServerSocket recordLogPort;

    /** The first tick waits here, inside its display reading, until the test lets it go. */
    final CountDownLatch firstTick = new CountDownLatch(1);
    /** The VM's network counter: grows by 1000 bytes at every reading. */
    final AtomicLong networkBytes = new AtomicLong();

    SessionManager manager;

    @BeforeEach
    void start() throws IOException {
        recordLogPort = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        // The session's QEMU process is this JVM: its CPU time is real and readable from /proc.
        Files.writeString(vmDir.resolve("qemu.pid"), Long.toString(ProcessHandle.current().pid()));
        manager = newManager();
    }

    @AfterEach
    void stop() throws IOException {
        firstTick.countDown();
        manager.deactivate();
        recordLogPort.close();
    }

    @Test
    void aSessionHasNoMetricsBeforeItsFirstTickThenItsLatestSnapshot() throws Exception {
        String id = manager.open(DESK.value(), null).id();

        assertEquals(Optional.empty(), manager.metrics(id), "the first tick has not sampled yet");

        firstTick.countDown();
        // Two ticks at least: the network rate needs two readings of the counter, so a finite one is a later
        // snapshot than the first.
        await("a snapshot with the VM's network rate", () -> manager.metrics(id)
                .filter(m -> Double.isFinite(m.vmNetworkBytesPerSecond())).isPresent());
        SessionMetrics m = manager.metrics(id).orElseThrow();
        assertEquals(id, m.session());
        assertEquals(SessionMode.DISPLAY, m.mode());
        assertTrue(m.vmNetworkBytesPerSecond() > 0, "the counter grew: " + m.vmNetworkBytesPerSecond());
        // Read from /proc/PID/stat of qemu.pid (this JVM) at the same two ticks as the network counter.
        assertTrue(Double.isFinite(m.vmCpuLoad()) && m.vmCpuLoad() >= 0, "VM CPU load " + m.vmCpuLoad());
        assertEquals(Duration.ofSeconds(20), m.window(), "the window of the safety rules alone (no policy installed)");
        assertFalse(m.now().isAfter(java.time.Instant.now()), "taken in the past: " + m.now());
    }

    @Test
    void anUnknownOrClosedSessionIsNotFoundAndNamed() {
        firstTick.countDown(); // ticks run freely: closing the session then interrupts no reading
        ReplayDeskException unknown = assertThrows(ReplayDeskException.class, () -> manager.metrics("s9"));
        assertEquals(Status.NOT_FOUND, unknown.status());
        assertEquals("no session 's9' (open: none)", unknown.getMessage());

        String id = manager.open(DESK.value(), null).id();
        ReplayDeskException other = assertThrows(ReplayDeskException.class, () -> manager.metrics("s9"));
        assertTrue(other.getMessage().contains("(open: " + id + ")"), other.getMessage());

        manager.close(id);
        ReplayDeskException closed = assertThrows(ReplayDeskException.class, () -> manager.metrics(id));
        assertEquals(Status.NOT_FOUND, closed.status());
        assertTrue(closed.getMessage().startsWith("no session '" + id + "'"), closed.getMessage());
        ReplayDeskException none = assertThrows(ReplayDeskException.class, () -> manager.metrics(null));
        assertEquals(Status.NOT_FOUND, none.status());
    }

    private SessionManager newManager() {
        VirtualMachine vm = Fakes.of(VirtualMachine.class, Map.of(
                "name", a -> DESK,
                "state", a -> VmState.RUNNING,
                "spec", a -> VmSpec.builder(DESK).mode(RecordReplayMode.RECORD).build(),
                "status", a -> new VmStatus(DESK, VmState.RUNNING, RecordReplayMode.RECORD, OptionalLong.empty(), 0,
                        Duration.ZERO, "anim", Optional.empty(), Optional.empty()),
                "recordLog", a -> vmDir.resolve("record.log"),
                "vncSocket", a -> vmDir.resolve("vnc.sock"),
                "networkBytes", a -> OptionalLong.of(networkBytes.addAndGet(1000))));
        Hypervisor hypervisor = Fakes.of(Hypervisor.class, Map.of(
                "find", a -> a[0].equals(DESK) ? Optional.of(vm) : Optional.empty()));
        DisplayService displays = Fakes.of(DisplayService.class, Map.of(
                "open", a -> new DisplayInfo((VmName) a[0], new InetSocketAddress("127.0.0.1", 5901), 0, 640, 480,
                        true),
                "stats", a -> {
                    awaitFirstTick();
                    return Optional.empty();
                },
                "interaction", a -> Optional.empty(),
                "viewers", a -> List.of(),
                "close", a -> null));
        // A session in display mode neither replays nor snapshots: any call to these fails the test.
        ReplayService replays = Fakes.of(ReplayService.class, Map.of());
        SnapshotService snapshots = Fakes.of(SnapshotService.class, Map.of());
        // The session service keeps its timelines under karaf.data; outside Karaf that would be the shared tmpdir.
        String previous = System.setProperty("karaf.data", karafData.toString());
        try {
            return new SessionManager(hypervisor, displays, replays, snapshots,
                    configuration(Map.of("tick_ms", 100, "record_log_port", recordLogPort.getLocalPort())));
        } finally {
            if (previous == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", previous);
            }
        }
    }

    private void awaitFirstTick() {
        try {
            if (!firstTick.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the first tick go");
            }
        } catch (InterruptedException e) {
            // Closing the session interrupts its thread.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The session configuration with its defaults, but for {@code values} (attribute method names). */
    static SessionConfiguration configuration(Map<String, Object> values) {
        return (SessionConfiguration) Proxy.newProxyInstance(SessionConfiguration.class.getClassLoader(),
                new Class<?>[] {SessionConfiguration.class}, (proxy, method, args) -> {
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
