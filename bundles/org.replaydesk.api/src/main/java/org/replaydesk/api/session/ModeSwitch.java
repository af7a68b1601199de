package org.replaydesk.api.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a session's switch log ({@code desk:session-history}).
 *
 * @param decidedAt when the switch was decided
 * @param from the mode before
 * @param to the mode after
 * @param decidedBy who decided: a policy's name, {@code operator} ({@code desk:session-mode}) or {@code session}
 *        (a snapshot finished or failed, the replayer caught up or failed, the log buffer filled)
 * @param reason why, in words
 * @param latency from the decision until viewers saw the new mode's pixels (for transitions that change what
 *        viewers see) or until the new mode was entered
 * @param serverStall how long the server VM was stopped by this transition (the snapshot's stall); empty if it was
 *        not stopped
 */
public record ModeSwitch(Instant decidedAt, SessionMode from, SessionMode to, String decidedBy, String reason,
        Duration latency, Optional<Duration> serverStall) {

    /** Checks the arguments. */
    public ModeSwitch {
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(decidedBy, "decidedBy");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(serverStall, "serverStall");
    }
}
