package org.replaydesk.api.session;

import java.util.Objects;

/**
 * What a {@link ModeSwitchPolicy} wants after looking at a {@link SessionMetrics}.
 *
 * @param action stay, start a switch to replay, or go back to display
 * @param reason why, in words an operator reads in {@code desk:session-history} (never null; empty for
 *        {@link Action#STAY})
 * @param cause why a policy goes back to display; {@link Cause#UNSPECIFIED} for other actions and for policies
 *        that do not say
 */
public record ModeDecision(Action action, String reason, Cause cause) {

    /**
     * Why a policy leaves replay (or abandons an attempt). The session uses it for the paper's back-off rule: a return
     * to display because the client could not keep up, shortly after a switch, is a failed switch (no new attempt for
     * the back-off time); a return because the traffic changed is not.
     *
     * @since 1.2
     */
    public enum Cause {
        /** Not given (policies written before 1.2): the session judges by the lag it measured against 500 ms. */
        UNSPECIFIED,
        /** The client cannot keep up: replay lag over the policy's limit, or the record log buffer full. */
        CLIENT_BEHIND,
        /** The traffic or the interactivity changed: display is now cheaper or better. Never a failed switch. */
        WORKLOAD
    }

    /** The three things a policy can ask for. */
    public enum Action {
        /** Keep the current mode (and let a switch in progress go on). */
        STAY,
        /**
         * From DISPLAY: start an attempt (snapshot, then dual mode, then replay once caught up). Ignored in the
         * other modes.
         */
        SWITCH_TO_REPLAY,
        /**
         * From REPLAY: show the server's display again at once. From SNAPSHOTTING or DUAL: abandon the attempt (it
         * counts as a failed switch). Ignored in DISPLAY.
         */
        SWITCH_TO_DISPLAY
    }

    private static final ModeDecision STAY = new ModeDecision(Action.STAY, "");

    /** Checks the arguments. */
    public ModeDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(cause, "cause");
    }

    /** A decision without a cause ({@link Cause#UNSPECIFIED}). */
    public ModeDecision(Action action, String reason) {
        this(action, reason, Cause.UNSPECIFIED);
    }

    /** @return keep the current mode */
    public static ModeDecision stay() {
        return STAY;
    }

    /**
     * @param reason why replay should be cheaper or better
     * @return start a switch to replay
     */
    public static ModeDecision toReplay(String reason) {
        return new ModeDecision(Action.SWITCH_TO_REPLAY, reason);
    }

    /**
     * @param reason why the server's display should be shown
     * @return go back to display
     */
    public static ModeDecision toDisplay(String reason) {
        return new ModeDecision(Action.SWITCH_TO_DISPLAY, reason);
    }

    /**
     * @param reason why the server's display should be shown
     * @param cause why, for the session's failed-switch rule
     * @return go back to display
     * @since 1.2
     */
    public static ModeDecision toDisplay(String reason, Cause cause) {
        return new ModeDecision(Action.SWITCH_TO_DISPLAY, reason, cause);
    }

    /** @return whether this asks for no change */
    public boolean isStay() {
        return action == Action.STAY;
    }
}
