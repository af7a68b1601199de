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

    static ServedVmStatus status(long log, String host, int port, String security) {
        return new ServedVmStatus(log, host, port, security, -1, -1);
    }

    /** Answers status requests from a script (a RuntimeException in it is thrown) and counts closes. */
    static final class ScriptedAgent implements RemoteSessionAgent {
        final Deque<Object> statuses = new ArrayDeque<>();
        int closes;
        VmName snapshotOf;

        @Override
        public JoinSnapshot takeJoinSnapshot(VmName vm) {
            snapshotOf = vm;
            return new JoinSnapshot(SnapshotTag.of("far-j1"), Duration.ofMillis(300));
        }

        @Override
        public ServedVmStatus status(VmName vm) {
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
