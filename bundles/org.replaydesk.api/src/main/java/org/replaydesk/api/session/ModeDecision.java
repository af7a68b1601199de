package org.replaydesk.api.session;

import java.util.Objects;

/**
 * What a {@link ModeSwitchPolicy} wants after looking at a {@link SessionMetrics}.
 *
 * @param action stay, start a switch to replay, or go back to display
 * @param reason why, in words an operator reads in {@code desk:session-history} (never null; empty for
 *        {@link Action#STAY})
 */
public record ModeDecision(Action action, String reason) {

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

    /** @return whether this asks for no change */
    public boolean isStay() {
        return action == Action.STAY;
    }
}
