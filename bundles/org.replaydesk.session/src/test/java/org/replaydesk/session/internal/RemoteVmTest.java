package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.pager.RemoteSessionAgent;
import org.replaydesk.replay.ReplayOptions;
import org.replaydesk.replay.ReplayServer;

/** The client side of a two-host session: the display source it derives, the status it polls, the replay it starts. */
class RemoteVmTest {

    static final VmName FAR = VmName.of("far");
    static final ReplayServer SERVER = ReplayServer.parse("10.1.2.3:5790");
    static final RemoteVm.DisplayCredentials NONE = new RemoteVm.DisplayCredentials("", "", "");

    static final long SECOND = 1_000_000_000L;

    static ServedVmStatus status(long log, String host, int port, String security) {
        return new ServedVmStatus(log, host, port, security, -1, -1);
    }

    /** A status with the VM's counters (-1: unknown). */
    static ServedVmStatus counters(long cpuNanos, long networkBytes) {
        return new ServedVmStatus(0, "127.0.0.1", 5750, "none", -1, -1, cpuNanos, networkBytes);
    }

    /**
     * Answers status requests from a script (a RuntimeException in it is thrown) and counts closes. Each answer takes
     * {@code roundTripNanos} on {@code clock}.
     */
    static final class ScriptedAgent implements RemoteSessionAgent {
        final Deque<Object> statuses = new ArrayDeque<>();
        final AtomicLong clock = new AtomicLong();
        long roundTripNanos;
        int closes;
        VmName snapshotOf;

        @Override
        public JoinSnapshot takeJoinSnapshot(VmName vm) {
            snapshotOf = vm;
            return new JoinSnapshot(SnapshotTag.of("far-j1"), Duration.ofMillis(300));
        }

        @Override
        public ServedVmStatus status(VmName vm) {
            clock.addAndGet(roundTripNanos);
            Object next = statuses.size() > 1 ? statuses.poll() : statuses.peek();
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (ServedVmStatus) next;
        }

        @Override
        public Duration lastRoundTrip() {
            return Duration.ofMillis(12);
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void aLoopbackOrWildcardRelayIsReachedAtTheServerHost() {
        assertEquals("10.1.2.3", RemoteVm.displayHost(SERVER, "127.0.0.1"));
        assertEquals("10.1.2.3", RemoteVm.displayHost(SERVER, "0.0.0.0"));
        assertEquals("10.1.2.3", RemoteVm.displayHost(SERVER, "::"));
        assertEquals("10.1.2.3", RemoteVm.displayHost(SERVER, ""));
        assertEquals("10.9.9.9", RemoteVm.displayHost(SERVER, "10.9.9.9"));
    }

    @Test
    void theSecurityKindPicksTheCredentials() {
        InetSocketAddress relay = new InetSocketAddress("10.1.2.3", 5750);
        assertEquals(DisplaySource.tcp(relay, null),
                RemoteVm.displaySource(SERVER, status(0, "127.0.0.1", 5750, "none"), NONE));
        RemoteVm.DisplayCredentials password = new RemoteVm.DisplayCredentials("", "s3cret", "");
        assertEquals(DisplaySource.tcp(relay, "s3cret"),
                RemoteVm.displaySource(SERVER, status(0, "0.0.0.0", 5750, "vncauth"), password));
        RemoteVm.DisplayCredentials tls = new RemoteVm.DisplayCredentials("ann", "s3cret", "/etc/ca.pem");
        assertEquals(DisplaySource.tls(relay, Path.of("/etc/ca.pem"), "ann", "s3cret"),
                RemoteVm.displaySource(SERVER, status(0, "127.0.0.1", 5750, "vencrypt"), tls));
        // Unknown: what is configured.
        assertEquals(DisplaySource.tls(relay, Path.of("/etc/ca.pem"), "ann", "s3cret"),
                RemoteVm.displaySource(SERVER, status(0, "127.0.0.1", 5750, "unknown"), tls));
        assertEquals(DisplaySource.tcp(relay, "s3cret"),
                RemoteVm.displaySource(SERVER, status(0, "127.0.0.1", 5750, "unknown"), password));
    }

    @Test
    void missingCredentialsAreNamedWithoutSecrets() {
        ReplayDeskException vnc = assertThrows(ReplayDeskException.class,
                () -> RemoteVm.displaySource(SERVER, status(0, "127.0.0.1", 5750, "vncauth"), NONE));
        assertEquals(Status.INVALID_ARGUMENT, vnc.status());
        assertTrue(vnc.getMessage().contains("remote.display.password"), vnc.getMessage());
        ReplayDeskException tls = assertThrows(ReplayDeskException.class, () -> RemoteVm.displaySource(SERVER,
                status(0, "127.0.0.1", 5750, "vencrypt"), new RemoteVm.DisplayCredentials("", "s3cret", "")));
        assertTrue(tls.getMessage().contains("remote.display.tls.trust"), tls.getMessage());
        assertFalse(tls.getMessage().contains("s3cret"));
        assertFalse(new RemoteVm.DisplayCredentials("ann", "s3cret", "").toString().contains("s3cret"));
        assertEquals(Status.CONFLICT, assertThrows(ReplayDeskException.class,
                () -> RemoteVm.displaySource(SERVER, status(0, "", 0, "unknown"), NONE)).status());
    }

    @Test
    void theLogSizeComesFromEachStatusAndAMissedPollKeepsTheLast() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(status(1000, "127.0.0.1", 5750, "none"));
        agent.statuses.add(status(5000, "127.0.0.1", 5750, "none"));
        agent.statuses.add(ReplayDeskException.unavailable("server gone"));
        agent.statuses.add(status(9000, "127.0.0.1", 5750, "none"));
        RemoteVm vm = new RemoteVm(FAR, SERVER, agent, NONE, Runnable::run);
        assertEquals(5000, vm.logBytes());
        assertEquals(5000, vm.logBytes());
        assertEquals(9000, vm.logBytes());
        assertEquals(Duration.ofMillis(12), vm.roundTrip());
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)));
    }

    @Test
    void aSilentServerNeverBlocksTheTickAndOnlyOnePollIsInFlight() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(status(1000, "127.0.0.1", 5750, "none"));
        agent.statuses.add(status(7000, "127.0.0.1", 5750, "none"));
        Deque<Runnable> queued = new ArrayDeque<>();
        RemoteVm vm = new RemoteVm(FAR, SERVER, agent, NONE, queued::add);
        // The poll is queued, not run: the caller gets the last answer (the one the open asked for) at once.
        assertEquals(1000, vm.logBytes());
        assertEquals(1, queued.size());
        assertEquals(1000, vm.logBytes());
        assertEquals(1, queued.size(), "a second poll while one is in flight");
        queued.poll().run();
        assertEquals(7000, vm.logBytes());
        assertEquals(1, queued.size(), "the next poll after the first answered");
    }

    /** A VM whose polls run at once in the caller, timed by the agent's clock. */
    static RemoteVm remote(ScriptedAgent agent) {
        return new RemoteVm(FAR, SERVER, agent, NONE, Runnable::run, agent.clock::get);
    }

    /** Polls once, asking at {@code askedNanos}. */
    static void pollAt(RemoteVm vm, ScriptedAgent agent, long askedNanos) {
        agent.clock.set(askedNanos);
        vm.logBytes();
    }

    @Test
    void theVmsRatesComeFromTheLastTwoAnswersTimedByTheirPolls() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.roundTripNanos = SECOND / 5;
        agent.statuses.add(counters(1_000_000_000L, 1_000)); // the open: asked at 0, read at 0.1 s
        agent.statuses.add(counters(2_500_000_000L, 11_000)); // asked at 1 s, read at 1.1 s
        agent.statuses.add(counters(4_400_000_000L, 11_000)); // a slow one: asked at 2 s, read at 3 s
        RemoteVm vm = remote(agent);
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)), "one answer is no rate");
        assertTrue(Double.isNaN(vm.vmNetworkBytesPerSecond(0)));
        pollAt(vm, agent, SECOND);
        // 1.5 s of CPU and 10,000 bytes in 1 s; the caller's clock does not enter.
        assertEquals(1.5, vm.vmCpuLoad(0), 1e-9);
        assertEquals(1.5, vm.vmCpuLoad(77 * SECOND), 1e-9);
        assertEquals(10_000.0, vm.vmNetworkBytesPerSecond(5 * SECOND), 1e-6);
        // An answer that took 2 s counts from the middle of its round trip: 1.9 s of CPU in 1.9 s.
        agent.roundTripNanos = 2 * SECOND;
        pollAt(vm, agent, 2 * SECOND);
        assertEquals(1.0, vm.vmCpuLoad(4 * SECOND), 1e-9);
        assertEquals(0.0, vm.vmNetworkBytesPerSecond(4 * SECOND));
    }

    @Test
    void unknownCountersGiveNoRateAndAMissedPollKeepsTheLast() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(counters(1_000_000_000L, -1)); // the open, at 0
        agent.statuses.add(counters(2_000_000_000L, -1)); // at 1 s
        agent.statuses.add(counters(-1, 500)); // at 2 s: CPU unknown now
        agent.statuses.add(counters(5_000_000_000L, 1_500)); // at 3 s
        agent.statuses.add(ReplayDeskException.unavailable("server gone")); // at 4 s
        agent.statuses.add(counters(6_000_000_000L, 2_500)); // at 5 s
        RemoteVm vm = remote(agent);
        pollAt(vm, agent, SECOND);
        assertEquals(1.0, vm.vmCpuLoad(0), 1e-9);
        assertTrue(Double.isNaN(vm.vmNetworkBytesPerSecond(0)), "a server that cannot count the VM's network");
        pollAt(vm, agent, 2 * SECOND);
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)), "unknown");
        pollAt(vm, agent, 3 * SECOND);
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)), "the first known value after an unknown one");
        assertEquals(1_000.0, vm.vmNetworkBytesPerSecond(0), 1e-6);
        pollAt(vm, agent, 4 * SECOND);
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)));
        assertEquals(1_000.0, vm.vmNetworkBytesPerSecond(0), 1e-6, "the missed poll keeps the last rate");
        pollAt(vm, agent, 5 * SECOND);
        // The rate spans the two answers (3 s to 5 s), not the missed poll.
        assertEquals(0.5, vm.vmCpuLoad(0), 1e-9);
        assertEquals(500.0, vm.vmNetworkBytesPerSecond(0), 1e-6);
    }

    @Test
    void aCounterThatGoesBackGivesNoRateOnceThenStartsOver() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(counters(30_000_000_000L, 90_000)); // the open, at 0
        agent.statuses.add(counters(31_000_000_000L, 100_000)); // at 1 s
        agent.statuses.add(counters(200_000_000L, 300)); // at 2 s: the VM restarted
        agent.statuses.add(counters(700_000_000L, 2_300)); // at 3 s
        RemoteVm vm = remote(agent);
        pollAt(vm, agent, SECOND);
        assertEquals(1.0, vm.vmCpuLoad(0), 1e-9);
        assertEquals(10_000.0, vm.vmNetworkBytesPerSecond(0), 1e-6);
        pollAt(vm, agent, 2 * SECOND);
        assertTrue(Double.isNaN(vm.vmCpuLoad(0)), "never a negative load");
        assertTrue(Double.isNaN(vm.vmNetworkBytesPerSecond(0)));
        pollAt(vm, agent, 3 * SECOND);
        assertEquals(0.5, vm.vmCpuLoad(0), 1e-9);
        assertEquals(2_000.0, vm.vmNetworkBytesPerSecond(0), 1e-6);
    }

    @Test
    void aServerBeforeTheCountersGivesNaNForBoth() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(status(1000, "127.0.0.1", 5750, "none"));
        RemoteVm vm = remote(agent);
        for (int i = 1; i <= 3; i++) {
            pollAt(vm, agent, i * SECOND);
            assertTrue(Double.isNaN(vm.vmCpuLoad(i * SECOND)));
            assertTrue(Double.isNaN(vm.vmNetworkBytesPerSecond(i * SECOND)));
        }
    }

    @Test
    void aJoinAsksTheServerAndTheReplayFollowsIt() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(status(0, "127.0.0.1", 5750, "none"));
        RemoteVm vm = new RemoteVm(FAR, SERVER, agent, NONE, Runnable::run);
        JoinSnapshot snapshot = vm.takeJoinSnapshot();
        assertEquals(FAR, agent.snapshotOf);
        assertEquals(new ReplayOptions(Optional.of(SERVER), Optional.of(snapshot.tag()), false),
                vm.replayOptions(snapshot.tag()));
        assertEquals("10.1.2.3:5790", vm.server());
        vm.close();
        assertEquals(1, agent.closes);
    }

    @Test
    void theLogRatioIsLearntFromAReplay() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(status(0, "127.0.0.1", 5750, "none"));
        RemoteVm vm = new RemoteVm(FAR, SERVER, agent, NONE, Runnable::run);
        assertEquals(0.3, vm.logCompressionRatio());
        vm.observeReplayLog(1000, 100);
        assertEquals(0.3, vm.logCompressionRatio(), "too little log to learn from");
        vm.observeReplayLog(10 << 20, 2 << 20);
        assertEquals(0.2, vm.logCompressionRatio(), 1e-9);
    }

    @Test
    void aServerThatServesNoSessionsFailsTheOpen() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.statuses.add(ReplayDeskException.unavailable("server 10.1.2.3:5791: sessions are not served here"));
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> new RemoteVm(FAR, SERVER, agent, NONE, Runnable::run));
        assertTrue(e.getMessage().contains("sessions are not served here"), e.getMessage());
    }
}
