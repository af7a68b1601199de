package org.replaydesk.policy.paper.internal;

import java.time.Duration;
import java.time.Instant;

import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/**
 * One session as the session service would describe it, driven by a test: a clock it advances, the mode and when
 * it was entered, when dual mode began, the last failed attempt. {@link #metrics()} fills the times the way
 * {@code ModeMachine.complete} does, so a test only scripts the traffic.
 */
final class ScriptedSession {

    static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

    private Instant now = START;
    private SessionMode mode = SessionMode.DISPLAY;
    private Instant modeSince = START;
    private Instant dualSince;
    private Instant lastFailedSwitch;
    private Duration window = Duration.ofSeconds(20);

    /** @return a session that has just entered {@code mode} */
    static ScriptedSession in(SessionMode mode) {
        ScriptedSession s = new ScriptedSession();
        s.enter(mode);
        return s;
    }

    /** @return the session's clock */
    Instant now() {
        return now;
    }

    ScriptedSession advance(Duration d) {
        now = now.plus(d);
        return this;
    }

    ScriptedSession enter(SessionMode next) {
        mode = next;
        modeSince = now;
        dualSince = next == SessionMode.DUAL ? now : null;
        return this;
    }

    /** Records an attempt given up now (the session is back in DISPLAY). */
    ScriptedSession failAttempt() {
        lastFailedSwitch = now;
        return enter(SessionMode.DISPLAY);
    }

    ScriptedSession window(Duration value) {
        window = value;
        return this;
    }

    /** @return metrics for now, with quiet traffic; the test adds the traffic it needs */
    SessionMetrics.Builder metrics() {
        return SessionMetrics.builder()
                .session("s1")
                .now(now)
                .mode(mode)
                .timeInMode(Duration.between(modeSince, now))
                .timeInDual(dualSince == null ? Duration.ZERO : Duration.between(dualSince, now))
                .lastFailedSwitch(lastFailedSwitch)
                .window(window)
                // what the session service reports per mode (SessionMetrics javadoc)
                .display(0, mode.showsServerDisplay())
                .replay(0, mode == SessionMode.DUAL || mode == SessionMode.REPLAY);
    }

    /**
     * @param displayBytesPerSecond display traffic (measured outside REPLAY, estimated in it)
     * @param replayBytesPerSecond replay traffic (estimated in DISPLAY and SNAPSHOTTING, measured in DUAL and REPLAY)
     * @return metrics for now with that traffic
     */
    SessionMetrics traffic(double displayBytesPerSecond, double replayBytesPerSecond) {
        return metrics().display(displayBytesPerSecond, mode.showsServerDisplay())
                .replay(replayBytesPerSecond, mode == SessionMode.DUAL || mode == SessionMode.REPLAY).build();
    }
}
