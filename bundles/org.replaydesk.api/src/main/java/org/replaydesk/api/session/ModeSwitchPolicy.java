package org.replaydesk.api.session;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides when a session switches between display and replay. Register an implementation as an OSGi service with
 * the {@value #NAME_PROPERTY} property; operators pick the active one with {@code desk:policy-set NAME} or the
 * session service's {@code policy.target} filter, and running sessions rebind to it without dropping a viewer.
 *
 * <p>The session service calls {@link #decide} about once a second per session, from its own thread, for every
 * session using the policy: implementations must be thread-safe and fast (no I/O). A decision that does not apply
 * to the current mode (say {@code SWITCH_TO_REPLAY} in DUAL) is ignored. Whatever the policy says, the session
 * service itself goes back to display when the log buffer is full, when a snapshot or the replayer fails, and when
 * the operator pinned display mode.
 *
 * <p>Most policies extend {@link AbstractModeSwitchPolicy}, which keeps the paper's safety rules (dual-mode cap,
 * back-off after a failed switch, lag bound) and lets a subclass decide only the traffic question.
 */
@ConsumerType
public interface ModeSwitchPolicy {

    /** Service property naming the policy ({@code paper}, {@code snowbird}, ...): what {@code desk:policy-set} takes. */
    String NAME_PROPERTY = "replaydesk.policy.name";

    /** Name of the policy the session service uses when nothing else is configured. */
    String DEFAULT_POLICY = "paper";

    /**
     * @param metrics one session's metrics now
     * @return what the session should do; never null
     */
    ModeDecision decide(SessionMetrics metrics);

    /**
     * @return the window traffic rates should be averaged over for this policy (the paper: 20 s); the session
     *         service keeps at least 5 minutes of per-second samples
     */
    default Duration window() {
        return AbstractModeSwitchPolicy.DEFAULT_WINDOW;
    }

    /** @return one line for {@code desk:policy-list}: what the policy does and its main settings */
    default String describe() {
        return getClass().getSimpleName();
    }
}
