package org.replaydesk.api.session;

import java.time.Duration;
import java.time.Instant;

/**
 * A policy skeleton with the record/replay paper's safety rules (section 3.3); a subclass decides the rest in
 * {@link #inDisplay}, {@link #inSnapshotting}, {@link #inDual} and {@link #inReplay}.
 *
 * <p>The rules, each applied before the subclass is asked:
 * <ul>
 * <li>DISPLAY: no new attempt within {@link #backoff()} (default 20 minutes) of a failed one.</li>
 * <li>DUAL: after {@link #maxDual()} (default 200 s) without catching up, back to display (this counts as a failed
 * attempt).</li>
 * <li>REPLAY: back to display at once when the replayer lags more than {@link #maxLag()} (default 500 ms) or the
 * log buffer is full.</li>
 * </ul>
 * Every hook returns {@link ModeDecision#stay()} by default, so a subclass that overrides nothing never leaves
 * display mode.
 */
public abstract class AbstractModeSwitchPolicy implements ModeSwitchPolicy {

    /** Window traffic is averaged over (paper: 20 s). */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(20);
    /** Longest dual mode before the attempt is abandoned (paper: 200 s). */
    public static final Duration DEFAULT_MAX_DUAL = Duration.ofSeconds(200);
    /** No new attempt this long after a failed one (paper: 20 minutes). */
    public static final Duration DEFAULT_BACKOFF = Duration.ofMinutes(20);
    /** Most a replayer may lag in replay mode (paper: 500 ms). */
    public static final Duration DEFAULT_MAX_LAG = Duration.ofMillis(500);

    @Override
    public ModeDecision decide(SessionMetrics metrics) {
        switch (metrics.mode()) {
            case DISPLAY:
                if (inBackoff(metrics)) {
                    return ModeDecision.stay();
                }
                return inDisplay(metrics);
            case SNAPSHOTTING:
                return inSnapshotting(metrics);
            case DUAL:
                if (metrics.timeInDual().compareTo(maxDual()) > 0) {
                    return ModeDecision.toDisplay("dual mode lasted " + seconds(metrics.timeInDual())
                            + " s without catching up (limit " + seconds(maxDual()) + " s)");
                }
                return inDual(metrics);
            case REPLAY:
                if (metrics.logBufferFull()) {
                    return ModeDecision.toDisplay("the record log buffer is full", ModeDecision.Cause.CLIENT_BEHIND);
                }
                if (metrics.replayLag().isPresent() && metrics.replayLag().get().compareTo(maxLag()) > 0) {
                    return ModeDecision.toDisplay("replay lags " + metrics.replayLag().get().toMillis()
                            + " ms behind the server (limit " + maxLag().toMillis() + " ms)",
                            ModeDecision.Cause.CLIENT_BEHIND);
                }
                return inReplay(metrics);
            default:
                return ModeDecision.stay();
        }
    }

    /**
     * @param metrics metrics in DISPLAY mode
     * @return whether a failed attempt is more recent than {@link #backoff()}
     */
    protected boolean inBackoff(SessionMetrics metrics) {
        if (metrics.lastFailedSwitch().isEmpty()) {
            return false;
        }
        Instant until = metrics.lastFailedSwitch().get().plus(backoff());
        return metrics.now().isBefore(until);
    }

    /**
     * @param metrics metrics in DISPLAY mode, outside the back-off
     * @return the decision; stays by default
     */
    protected ModeDecision inDisplay(SessionMetrics metrics) {
        return ModeDecision.stay();
    }

    /**
     * @param metrics metrics while the server snapshots
     * @return the decision; stays by default (the snapshot ends on its own)
     */
    protected ModeDecision inSnapshotting(SessionMetrics metrics) {
        return ModeDecision.stay();
    }

    /**
     * @param metrics metrics in DUAL mode within {@link #maxDual()}
     * @return the decision; stays by default (the session moves to REPLAY once the replayer caught up)
     */
    protected ModeDecision inDual(SessionMetrics metrics) {
        return ModeDecision.stay();
    }

    /**
     * @param metrics metrics in REPLAY mode, lag and buffer within bounds
     * @return the decision; stays by default
     */
    protected ModeDecision inReplay(SessionMetrics metrics) {
        return ModeDecision.stay();
    }

    /** @return the longest dual mode; {@link #DEFAULT_MAX_DUAL} unless overridden */
    protected Duration maxDual() {
        return DEFAULT_MAX_DUAL;
    }

    /** @return the back-off after a failed attempt; {@link #DEFAULT_BACKOFF} unless overridden */
    protected Duration backoff() {
        return DEFAULT_BACKOFF;
    }

    /** @return the largest lag tolerated in replay mode; {@link #DEFAULT_MAX_LAG} unless overridden */
    protected Duration maxLag() {
        return DEFAULT_MAX_LAG;
    }

    /**
     * @param d a duration
     * @return it in seconds with one decimal, for reasons
     */
    protected static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
