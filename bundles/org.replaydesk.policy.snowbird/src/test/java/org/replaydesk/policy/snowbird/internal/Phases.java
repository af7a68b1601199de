package org.replaydesk.policy.snowbird.internal;

import java.time.Duration;
import java.time.Instant;

import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/**
 * Scripted metrics for the policy tests: a controllable clock (seconds since {@link #T0}) and the usage phases the
 * default profile is about. Every phase is a builder so a test can change one reading.
 */
final class Phases {

    /** Time zero of every script. */
    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    private Phases() {
    }

    /** @return the instant {@code seconds} after {@link #T0} (millisecond precision) */
    static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    /** @return a quiet session {@code session} in {@code mode} at {@code seconds}: no input, little traffic */
    static SessionMetrics.Builder idle(String session, SessionMode mode, double seconds) {
        return SessionMetrics.builder().session(session).now(at(seconds)).mode(mode).window(Duration.ofSeconds(20))
                .timeInMode(Duration.ofSeconds(60)).display(2_000, mode != SessionMode.REPLAY)
                .replay(1_500, mode != SessionMode.DISPLAY).input(0, Duration.ofSeconds(10))
                .framesPerSecondAfterInput(0).clientCpuLoad(0.2).viewers(1);
    }

    /** @return typing: many inputs, few frames after each, modest display traffic that replay would not beat */
    static SessionMetrics.Builder typing(String session, SessionMode mode, double seconds) {
        return idle(session, mode, seconds).input(40, Duration.ofSeconds(10)).framesPerSecondAfterInput(3)
                .display(20_000, mode != SessionMode.REPLAY).replay(30_000, mode != SessionMode.DISPLAY);
    }

    /** @return an interactive animation (rotating a model): many inputs, many frames after each */
    static SessionMetrics.Builder animating(String session, SessionMode mode, double seconds) {
        return idle(session, mode, seconds).input(22, Duration.ofSeconds(10)).framesPerSecondAfterInput(31)
                .display(400_000, mode != SessionMode.REPLAY).replay(90_000, mode != SessionMode.DISPLAY);
    }

    /** @return a video nobody touches: heavy display, a log a fraction of its size */
    static SessionMetrics.Builder video(String session, SessionMode mode, double seconds) {
        return idle(session, mode, seconds).display(800_000, mode != SessionMode.REPLAY)
                .replay(40_000, mode != SessionMode.DISPLAY);
    }
}
