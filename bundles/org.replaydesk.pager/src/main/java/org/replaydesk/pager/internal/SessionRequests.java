package org.replaydesk.pager.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.api.session.ServerSessionAgent;

/**
 * Turns session requests into calls of the server's {@link ServerSessionAgent} and its answers (or failures) into
 * replies; and, on the client, replies back into answers. Kept apart from the channel handlers so both directions
 * can be tested without sockets.
 */
final class SessionRequests {

    /** What a client is told when the server host runs no session service. */
    static final String NOT_SERVED = "sessions are not served here: the server host runs no session service "
            + "(install the replaydesk-session feature there)";

    private SessionRequests() {
    }

    /**
     * Answers one request; never throws. Blocks as long as the agent does (a snapshot takes seconds), so it runs
     * off the event loop.
     *
     * @param agent the server's agent, or null when none is registered
     * @param request a {@link PagerMessage.SessionSnapshotRequest} or {@link PagerMessage.SessionStatusRequest}
     * @param version the protocol version of the connection the request came on: it decides the form of a
     *     {@link PagerMessage.SessionStatusReply} (with the VM counters from {@link PagerMessage#VERSION_VM_COUNTERS})
     * @return the reply or an {@link PagerMessage.Error}
     */
    static PagerMessage answer(ServerSessionAgent agent, PagerMessage request, int version) {
        if (agent == null) {
            return new PagerMessage.Error(PagerMessage.ErrorCode.SESSIONS_NOT_SERVED, NOT_SERVED);
        }
        try {
            if (request instanceof PagerMessage.SessionSnapshotRequest r) {
                JoinSnapshot snapshot = agent.takeJoinSnapshot(vm(r.vm()));
                return new PagerMessage.SessionSnapshotReply(snapshot.tag().value(),
                        TimeUnit.NANOSECONDS.toMicros(snapshot.stall().toNanos()));
            }
            if (request instanceof PagerMessage.SessionStatusRequest r) {
                return reply(agent.status(vm(r.vm())), version);
            }
            throw new IllegalArgumentException("not a session request: " + request);
        } catch (ReplayDeskException e) {
            return new PagerMessage.Error(code(e.status()), e.getMessage());
        } catch (RuntimeException e) {
            return new PagerMessage.Error(PagerMessage.ErrorCode.SERVER_FAILURE, "the session agent failed: " + e);
        }
    }

    /**
     * @param s the agent's answer
     * @param version the connection's protocol version
     * @return the reply in the form that version reads: an older client's decoder rejects the VM counters
     */
    static PagerMessage.SessionStatusReply reply(ServedVmStatus s, int version) {
        if (version >= PagerMessage.VERSION_VM_COUNTERS) {
            return new PagerMessage.SessionStatusReply(s.recordLogBytes(), s.displayHost(), s.displayPort(),
                    s.displaySecurity(), s.damagedPixelsPerSecond(), s.inputEvents(), s.vmCpuNanos(),
                    s.vmNetworkBytes());
        }
        return new PagerMessage.SessionStatusReply(s.recordLogBytes(), s.displayHost(), s.displayPort(),
                s.displaySecurity(), s.damagedPixelsPerSecond(), s.inputEvents());
    }

    private static VmName vm(String name) {
        try {
            return VmName.of(name);
        } catch (IllegalArgumentException | ReplayDeskException e) {
            // No VM can have a name that is not a VM name.
            throw ReplayDeskException.notFound(e.getMessage());
        }
    }

    private static int code(Status status) {
        switch (status) {
            case NOT_FOUND: return PagerMessage.ErrorCode.NO_SUCH_VM;
            case CONFLICT:
            case INVALID_ARGUMENT: return PagerMessage.ErrorCode.SESSION_CONFLICT;
            default: return PagerMessage.ErrorCode.SERVER_FAILURE;
        }
    }

    /**
     * @param server the server's address, for messages
     * @param error an ERROR answering a session request
     * @return the exception the client's caller sees
     */
    static ReplayDeskException failure(String server, PagerMessage.Error error) {
        Status status;
        switch (error.code()) {
            case PagerMessage.ErrorCode.SESSIONS_NOT_SERVED: status = Status.UNAVAILABLE; break;
            case PagerMessage.ErrorCode.NO_SUCH_VM: status = Status.NOT_FOUND; break;
            case PagerMessage.ErrorCode.SESSION_CONFLICT: status = Status.CONFLICT; break;
            default: status = Status.FAILED;
        }
        return new ReplayDeskException(status, "server " + server + ": " + error.message());
    }

    /** @return the snapshot a reply names */
    static JoinSnapshot snapshot(PagerMessage.SessionSnapshotReply reply) {
        return new JoinSnapshot(org.replaydesk.api.SnapshotTag.of(reply.tag()), Duration.ofNanos(
                TimeUnit.MICROSECONDS.toNanos(reply.stallMicros())));
    }

    /** @return the status a reply carries; the VM counters unknown when the reply has none (a server before 4) */
    static ServedVmStatus status(PagerMessage.SessionStatusReply reply) {
        return new ServedVmStatus(reply.recordLogBytes(), reply.displayHost(), reply.displayPort(),
                reply.displaySecurity(), reply.damagedPixelsPerSecond(), reply.inputEvents(), reply.vmCpuNanos(),
                reply.vmNetworkBytes());
    }
}
