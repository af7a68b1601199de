package org.replaydesk.policy.paper.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeDecision.Action;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMode;

/**
 * The paper policy against scripted sessions: every rule at, just over and just under its threshold, the settings'
 * checks, and live retuning.
 */
class PaperPolicyTest {

    private static final double KIB = 1024;
    private static final Duration WINDOW = Duration.ofSeconds(20);

    private static PaperPolicy policy(Map<String, Object> properties) {
        return new PaperPolicy(Configs.of(PaperPolicy.Config.class, properties));
    }

    private static final PaperPolicy PAPER = policy(Map.of());

    /** A session that has been in {@code mode} for a whole window. */
    private static ScriptedSession settledIn(SessionMode mode) {
        return ScriptedSession.in(mode).advance(WINDOW);
    }

    private static void assertStays(ModeDecision decision) {
        assertTrue(decision.isStay(), () -> "expected STAY, got " + decision);
    }

    private static void assertDecision(Action action, String reason, ModeDecision decision) {
        assertEquals(action, decision.action(), decision::toString);
        assertEquals(reason, decision.reason());
    }

    @Nested
    class Defaults {

        @Test
        void theDefaultsAreThePapers() {
            PaperPolicy.Settings s = PAPER.settings();
            assertEquals(1.5, s.replayAdvantage());
            assertEquals(1.1, s.displayAdvantage());
            assertEquals(Duration.ofSeconds(20), s.window());
            assertEquals(Duration.ofSeconds(200), s.maxDual());
            assertEquals(Duration.ofMinutes(20), s.backoff());
            assertEquals(Duration.ofMillis(500), s.maxLag());
            assertEquals(8192, s.minBytesPerSecond());
            assertEquals(Duration.ofSeconds(20), PAPER.window());
        }

        @Test
        void itIsTheDefaultPolicy() {
            assertEquals(ModeSwitchPolicy.DEFAULT_POLICY, PaperPolicy.NAME);
        }

        @Test
        void describeGivesTheMainSettingsOnOneLine() {
            assertEquals("paper: replay when display >= 1.5x the replay estimate, display when replay >= 1.1x the"
                    + " display estimate, over full 20 s windows, nothing under 8.0 KiB/s; dual <= 200 s, back-off"
                    + " 20 min, lag <= 500 ms", PAPER.describe());
        }
    }

    @Nested
    class FromDisplayToReplay {

        @Test
        void displayExactlyOneAndAHalfTimesTheReplayEstimateSwitches() {
            assertDecision(Action.SWITCH_TO_REPLAY,
                    "display 60.0 KiB/s is 1.5x the replay estimate 40.0 KiB/s over 20 s (threshold 1.5x)",
                    PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(60 * KIB, 40 * KIB)));
        }

        @Test
        void displayJustUnderOneAndAHalfTimesStays() {
            assertStays(PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(60 * KIB - 1, 40 * KIB)));
        }

        @Test
        void theReasonGivesBothRatesAndTheirRatio() {
            assertDecision(Action.SWITCH_TO_REPLAY,
                    "display 412.0 KiB/s is 6.3x the replay estimate 65.1 KiB/s over 20 s (threshold 1.5x)",
                    PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(412 * KIB, 65.1 * KIB)));
        }

        @Test
        void theReasonSaysWhichRatesWereMeasuredAndWhichEstimated() {
            ModeDecision d = PAPER.decide(settledIn(SessionMode.DISPLAY).metrics().display(60 * KIB, false)
                    .replay(40 * KIB, true).build());
            assertEquals("display estimate 60.0 KiB/s is 1.5x the measured replay 40.0 KiB/s over 20 s"
                    + " (threshold 1.5x)", d.reason());
        }

        @Test
        void noDecisionBeforeTheSessionSpentAWholeWindowInDisplay() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DISPLAY);
            session.advance(WINDOW.minusMillis(1));
            assertStays(PAPER.decide(session.traffic(400 * KIB, 10 * KIB)));
            session.advance(Duration.ofMillis(1));
            assertEquals(Action.SWITCH_TO_REPLAY, PAPER.decide(session.traffic(400 * KIB, 10 * KIB)).action());
        }

        @Test
        void theWindowThatCountsIsTheOneTheRatesWereAveragedOver() {
            // 25 s in display is a full 20 s window but not a full 30 s one
            ScriptedSession session = ScriptedSession.in(SessionMode.DISPLAY).window(Duration.ofSeconds(30))
                    .advance(Duration.ofSeconds(25));
            assertStays(PAPER.decide(session.traffic(400 * KIB, 10 * KIB)));
            session.advance(Duration.ofSeconds(5));
            ModeDecision d = PAPER.decide(session.traffic(400 * KIB, 10 * KIB));
            assertEquals(Action.SWITCH_TO_REPLAY, d.action());
            assertTrue(d.reason().contains("over 30 s"), d.reason());
        }

        @Test
        void displayUnderTheFloorStaysHoweverSmallTheLog() {
            // an idle screen against an idle VM's tiny log: a large ratio, nothing to save
            assertStays(PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(2 * KIB, 10)));
            assertStays(PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(8191, 0)));
        }

        @Test
        void displayAtTheFloorAgainstASilentLogSwitches() {
            assertDecision(Action.SWITCH_TO_REPLAY,
                    "display 8.0 KiB/s against the replay estimate 0.0 KiB/s over 20 s (threshold 1.5x)",
                    PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(8192, 0)));
        }

        @Test
        void withoutAFloorTwoSilentStreamsStillStay() {
            PaperPolicy noFloor = policy(Map.of("min.display.bytes.per.second", 0.0));
            assertStays(noFloor.decide(settledIn(SessionMode.DISPLAY).traffic(0, 0)));
            assertEquals(Action.SWITCH_TO_REPLAY,
                    noFloor.decide(settledIn(SessionMode.DISPLAY).traffic(150, 100)).action());
        }

        @Test
        void unknownOrNonsenseRatesStay() {
            for (double[] rates : new double[][] {{Double.NaN, 10 * KIB}, {400 * KIB, Double.NaN},
                    {Double.POSITIVE_INFINITY, 10 * KIB}, {400 * KIB, Double.POSITIVE_INFINITY},
                    {400 * KIB, -1}, {-1, -1}}) {
                assertStays(PAPER.decide(settledIn(SessionMode.DISPLAY).traffic(rates[0], rates[1])));
            }
        }

        @Test
        void noNewAttemptForTwentyMinutesAfterAFailedOne() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(60))
                    .failAttempt();
            session.advance(Duration.ofMinutes(20).minusSeconds(1)); // 19:59
            assertStays(PAPER.decide(session.traffic(400 * KIB, 10 * KIB)));
            session.advance(Duration.ofSeconds(1)); // 20:00
            assertEquals(Action.SWITCH_TO_REPLAY, PAPER.decide(session.traffic(400 * KIB, 10 * KIB)).action());
        }

        @Test
        void snapshottingIsLeftAlone() {
            ScriptedSession session = ScriptedSession.in(SessionMode.SNAPSHOTTING).advance(Duration.ofMinutes(5));
            assertStays(PAPER.decide(session.traffic(0, 400 * KIB)));
        }
    }

    @Nested
    class DualMode {

        @Test
        void dualModeEndsAfterTwoHundredSecondsNotBefore() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(200));
            assertStays(PAPER.decide(session.traffic(50 * KIB, 30 * KIB)));
            session.advance(Duration.ofMillis(1));
            assertDecision(Action.SWITCH_TO_DISPLAY, "dual mode lasted 200.0 s without catching up (limit 200.0 s)",
                    PAPER.decide(session.traffic(50 * KIB, 30 * KIB)));
        }

        @Test
        void trafficDoesNotEndDualMode() {
            // the join's chunks make replay look expensive in dual mode; catching up is what decides
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(100));
            assertStays(PAPER.decide(session.traffic(10 * KIB, 900 * KIB)));
        }
    }

    @Nested
    class FromReplayToDisplay {

        @Test
        void replayExactlyOnePointOneTimesTheDisplayEstimateGoesBack() {
            assertDecision(Action.SWITCH_TO_DISPLAY,
                    "replay 11.0 KiB/s is 1.1x the display estimate 10.0 KiB/s over 20 s (threshold 1.1x)",
                    PAPER.decide(settledIn(SessionMode.REPLAY).traffic(10 * KIB, 11 * KIB)));
        }

        @Test
        void replayJustUnderOnePointOneTimesStays() {
            assertStays(PAPER.decide(settledIn(SessionMode.REPLAY).traffic(10 * KIB, 11 * KIB - 1)));
        }

        @Test
        void noDecisionBeforeTheSessionSpentAWholeWindowInReplay() {
            // right after the switch the window still holds the join's chunk traffic
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(WINDOW.minusMillis(1));
            assertStays(PAPER.decide(session.traffic(10 * KIB, 500 * KIB)));
            session.advance(Duration.ofMillis(1));
            ModeDecision back = PAPER.decide(session.traffic(10 * KIB, 500 * KIB));
            assertEquals(Action.SWITCH_TO_DISPLAY, back.action());
            assertEquals(ModeDecision.Cause.WORKLOAD, back.cause(), "a traffic decision is no failed switch");
        }

        @Test
        void anIdleDesktopStaysInReplay() {
            // no damage and a trickle of log: going back would cost a whole new attempt when activity resumes
            assertStays(PAPER.decide(settledIn(SessionMode.REPLAY).traffic(0, 8191)));
            assertEquals(Action.SWITCH_TO_DISPLAY,
                    PAPER.decide(settledIn(SessionMode.REPLAY).traffic(0, 8192)).action());
        }

        @Test
        void unknownRatesStay() {
            assertStays(PAPER.decide(settledIn(SessionMode.REPLAY).traffic(Double.NaN, 400 * KIB)));
            assertStays(PAPER.decide(settledIn(SessionMode.REPLAY).traffic(10 * KIB, Double.NaN)));
        }

        @Test
        void aLagOverFiveHundredMillisecondsGoesBackAtOnce() {
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(1));
            assertStays(PAPER.decide(session.metrics().replayLag(Duration.ofMillis(500)).build()));
            ModeDecision back = PAPER.decide(session.metrics().replayLag(Duration.ofMillis(501)).build());
            assertDecision(Action.SWITCH_TO_DISPLAY, "replay lags 501 ms behind the server (limit 500 ms)", back);
            assertEquals(ModeDecision.Cause.CLIENT_BEHIND, back.cause());
        }

        @Test
        void aFullLogBufferGoesBackAtOnce() {
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(1));
            assertStays(PAPER.decide(session.metrics().logBufferFull(false).build()));
            assertDecision(Action.SWITCH_TO_DISPLAY, "the record log buffer is full",
                    PAPER.decide(session.metrics().logBufferFull(true).build()));
        }
    }

    @Nested
    class Configuration {

        @Test
        void everySettingIsUsed() {
            PaperPolicy tuned = policy(Map.of("replay.advantage", 1.25, "display.advantage", 2.0,
                    "window.seconds", 30, "max.dual.seconds", 60, "backoff.minutes", 5, "max.lag.ms", 1000,
                    "min.display.bytes.per.second", 1024.0));
            assertEquals(Duration.ofSeconds(30), tuned.window());
            ScriptedSession display = ScriptedSession.in(SessionMode.DISPLAY).window(Duration.ofSeconds(30))
                    .advance(Duration.ofSeconds(30));
            assertStays(tuned.decide(display.traffic(1023, 0)));
            assertStays(tuned.decide(display.traffic(12.4 * KIB, 10 * KIB)));
            assertDecision(Action.SWITCH_TO_REPLAY,
                    "display 12.6 KiB/s is 1.26x the replay estimate 10.0 KiB/s over 30 s (threshold 1.25x)",
                    tuned.decide(display.traffic(12.6 * KIB, 10 * KIB)));

            ScriptedSession replay = ScriptedSession.in(SessionMode.REPLAY).window(Duration.ofSeconds(30))
                    .advance(Duration.ofSeconds(30));
            assertStays(tuned.decide(replay.traffic(10 * KIB, 19.9 * KIB)));
            assertEquals(Action.SWITCH_TO_DISPLAY, tuned.decide(replay.traffic(10 * KIB, 20 * KIB)).action());
            assertStays(tuned.decide(replay.metrics().replayLag(Duration.ofMillis(1000)).build()));
            assertEquals(Action.SWITCH_TO_DISPLAY,
                    tuned.decide(replay.metrics().replayLag(Duration.ofMillis(1001)).build()).action());

            ScriptedSession dual = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(60));
            assertStays(tuned.decide(dual.traffic(0, 0)));
            dual.advance(Duration.ofMillis(1));
            assertEquals(Action.SWITCH_TO_DISPLAY, tuned.decide(dual.traffic(0, 0)).action());

            ScriptedSession failed = ScriptedSession.in(SessionMode.DUAL).failAttempt()
                    .window(Duration.ofSeconds(30)).advance(Duration.ofMinutes(5).minusMillis(1));
            assertStays(tuned.decide(failed.traffic(400 * KIB, 0)));
            failed.advance(Duration.ofMillis(1));
            assertEquals(Action.SWITCH_TO_REPLAY, tuned.decide(failed.traffic(400 * KIB, 0)).action());
        }

        @Test
        void noBackOffAllowsANewAttemptAtOnce() {
            PaperPolicy eager = policy(Map.of("backoff.minutes", 0));
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).failAttempt().advance(WINDOW);
            assertEquals(Action.SWITCH_TO_REPLAY, eager.decide(session.traffic(400 * KIB, 0)).action());
        }

        @Test
        void theRangesBoundariesAreAccepted() {
            policy(Map.of("replay.advantage", 1.0, "display.advantage", 1.0, "window.seconds", 1,
                    "max.dual.seconds", 1, "backoff.minutes", 0, "max.lag.ms", 1,
                    "min.display.bytes.per.second", 0.0));
            assertEquals(Duration.ofSeconds(300), policy(Map.of("window.seconds", 300)).window());
        }

        @Test
        void outOfRangeSettingsAreRejectedNamingThePropertyAndValue() {
            assertRejected("replay.advantage", "0.99", Map.of("replay.advantage", 0.99));
            assertRejected("replay.advantage", "NaN", Map.of("replay.advantage", Double.NaN));
            assertRejected("replay.advantage", "Infinity", Map.of("replay.advantage", Double.POSITIVE_INFINITY));
            assertRejected("display.advantage", "0.5", Map.of("display.advantage", 0.5));
            assertRejected("window.seconds", "0", Map.of("window.seconds", 0));
            assertRejected("window.seconds", "-20", Map.of("window.seconds", -20));
            assertRejected("window.seconds", "301", Map.of("window.seconds", 301));
            assertRejected("max.dual.seconds", "0", Map.of("max.dual.seconds", 0));
            assertRejected("max.dual.seconds", "-1", Map.of("max.dual.seconds", -1));
            assertRejected("backoff.minutes", "-1", Map.of("backoff.minutes", -1));
            assertRejected("max.lag.ms", "0", Map.of("max.lag.ms", 0));
            assertRejected("max.lag.ms", "-500", Map.of("max.lag.ms", -500));
            assertRejected("min.display.bytes.per.second", "-1.0", Map.of("min.display.bytes.per.second", -1.0));
            assertRejected("min.display.bytes.per.second", "NaN",
                    Map.of("min.display.bytes.per.second", Double.NaN));
        }

        private void assertRejected(String key, String value, Map<String, Object> properties) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy(properties));
            assertTrue(e.getMessage().startsWith("org.replaydesk.policy.paper: " + key + " "), e.getMessage());
            assertTrue(e.getMessage().endsWith(", got " + value), e.getMessage());
        }
    }

    @Nested
    class LiveRetune {

        @Test
        void theNextDecisionUsesTheNewSettings() {
            PaperPolicy live = policy(Map.of());
            ScriptedSession session = settledIn(SessionMode.DISPLAY);
            assertEquals(Action.SWITCH_TO_REPLAY, live.decide(session.traffic(60 * KIB, 40 * KIB)).action());

            live.modified(Configs.of(PaperPolicy.Config.class, Map.of("replay.advantage", 2.0,
                    "window.seconds", 40)));
            assertStays(live.decide(session.traffic(60 * KIB, 40 * KIB)));
            assertEquals(Action.SWITCH_TO_REPLAY, live.decide(session.traffic(80 * KIB, 40 * KIB)).action());
            assertEquals(Duration.ofSeconds(40), live.window());
            assertTrue(live.describe().contains(">= 2x the replay estimate"), live.describe());
        }

        @Test
        void retuningTheSafetyLimitsTakesEffectToo() {
            PaperPolicy live = policy(Map.of());
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(1));
            assertStays(live.decide(session.metrics().replayLag(Duration.ofMillis(400)).build()));
            live.modified(Configs.of(PaperPolicy.Config.class, Map.of("max.lag.ms", 300)));
            assertEquals(Action.SWITCH_TO_DISPLAY,
                    live.decide(session.metrics().replayLag(Duration.ofMillis(400)).build()).action());
        }

        @Test
        void anInvalidChangeIsRejectedAndTheRunningSettingsStay() {
            PaperPolicy live = policy(Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> live.modified(
                    Configs.of(PaperPolicy.Config.class, Map.of("replay.advantage", 3.0, "window.seconds", 0))));
            assertTrue(e.getMessage().contains("window.seconds"), e.getMessage());
            assertEquals(PAPER.settings(), live.settings());
            assertEquals(Action.SWITCH_TO_REPLAY,
                    live.decide(settledIn(SessionMode.DISPLAY).traffic(60 * KIB, 40 * KIB)).action());
        }
    }
}
