package org.replaydesk.policy.pinned.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeDecision.Action;
import org.replaydesk.api.session.SessionMode;

/** The pinned policy in both modes against scripted sessions, its safety rules, its setting and live changes. */
class PinnedPolicyTest {

    private static PinnedPolicy pinnedTo(String mode) {
        return new PinnedPolicy(Configs.of(PinnedPolicy.Config.class, Map.of("mode", mode)));
    }

    private static void assertStays(ModeDecision decision) {
        assertTrue(decision.isStay(), () -> "expected STAY, got " + decision);
    }

    private static void assertDecision(Action action, String reason, ModeDecision decision) {
        assertEquals(action, decision.action(), decision::toString);
        assertEquals(reason, decision.reason());
    }

    @Test
    void withoutConfigurationItPinsDisplay() {
        PinnedPolicy policy = new PinnedPolicy(Configs.defaults(PinnedPolicy.Config.class));
        assertEquals(PinnedPolicy.PinnedMode.DISPLAY, policy.mode());
        assertEquals("pinned: holds sessions in display", policy.describe());
    }

    @Nested
    class PinnedToDisplay {

        private final PinnedPolicy policy = pinnedTo("display");

        @Test
        void displayStaysWhateverTheTraffic() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DISPLAY).advance(Duration.ofMinutes(30));
            assertStays(policy.decide(session.traffic(10_000_000, 0)));
        }

        @Test
        void replayGoesBackToDisplay() {
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(1));
            assertDecision(Action.SWITCH_TO_DISPLAY,
                    "pinned to display by configuration (org.replaydesk.policy.pinned mode = display); leaving replay",
                    policy.decide(session.traffic(0, 0)));
        }

        @Test
        void anAttemptUnderWayIsAbandoned() {
            String reason = "pinned to display by configuration (org.replaydesk.policy.pinned mode = display);"
                    + " abandoning the attempt";
            assertDecision(Action.SWITCH_TO_DISPLAY, reason,
                    policy.decide(ScriptedSession.in(SessionMode.SNAPSHOTTING).traffic(0, 0)));
            assertDecision(Action.SWITCH_TO_DISPLAY, reason,
                    policy.decide(ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(1))
                            .traffic(0, 0)));
        }
    }

    @Nested
    class PinnedToReplay {

        private final PinnedPolicy policy = pinnedTo("replay");

        @Test
        void displayAsksForReplayAtOnceWhateverTheTraffic() {
            assertDecision(Action.SWITCH_TO_REPLAY,
                    "pinned to replay by configuration (org.replaydesk.policy.pinned mode = replay)",
                    policy.decide(ScriptedSession.in(SessionMode.DISPLAY).traffic(0, 10_000_000)));
        }

        @Test
        void anAttemptUnderWayAndReplayAreLeftToRun() {
            assertStays(policy.decide(ScriptedSession.in(SessionMode.SNAPSHOTTING).advance(Duration.ofMinutes(5))
                    .traffic(0, 0)));
            assertStays(policy.decide(ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(10))
                    .traffic(0, 0)));
            assertStays(policy.decide(ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofHours(2))
                    .traffic(10_000_000, 10_000_000)));
        }

        @Test
        void noNewAttemptForTwentyMinutesAfterAFailedOne() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(200))
                    .failAttempt();
            assertStays(policy.decide(session.traffic(0, 0)));
            session.advance(Duration.ofMinutes(20).minusSeconds(1)); // 19:59
            assertStays(policy.decide(session.traffic(0, 0)));
            session.advance(Duration.ofSeconds(1)); // 20:00
            assertEquals(Action.SWITCH_TO_REPLAY, policy.decide(session.traffic(0, 0)).action());
        }

        @Test
        void dualModeStillEndsAfterTwoHundredSeconds() {
            ScriptedSession session = ScriptedSession.in(SessionMode.DUAL).advance(Duration.ofSeconds(200));
            assertStays(policy.decide(session.traffic(0, 0)));
            session.advance(Duration.ofMillis(1));
            assertDecision(Action.SWITCH_TO_DISPLAY, "dual mode lasted 200.0 s without catching up (limit 200.0 s)",
                    policy.decide(session.traffic(0, 0)));
        }

        @Test
        void aLaggingReplayerStillGoesBackToDisplay() {
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(30));
            assertStays(policy.decide(session.metrics().replayLag(Duration.ofMillis(500)).build()));
            assertDecision(Action.SWITCH_TO_DISPLAY, "replay lags 501 ms behind the server (limit 500 ms)",
                    policy.decide(session.metrics().replayLag(Duration.ofMillis(501)).build()));
        }

        @Test
        void aFullLogBufferStillGoesBackToDisplay() {
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(30));
            assertDecision(Action.SWITCH_TO_DISPLAY, "the record log buffer is full",
                    policy.decide(session.metrics().logBufferFull(true).build()));
        }

        @Test
        void describeNamesTheSafetyRules() {
            assertEquals("pinned: holds sessions in replay (back-off 20 min after a failed attempt, dual <= 200 s,"
                    + " lag <= 500 ms)", policy.describe());
        }
    }

    @Nested
    class Setting {

        @Test
        void caseAndBlanksDoNotMatter() {
            assertEquals(PinnedPolicy.PinnedMode.REPLAY, pinnedTo(" Replay ").mode());
            assertEquals(PinnedPolicy.PinnedMode.DISPLAY, pinnedTo("DISPLAY").mode());
        }

        @Test
        void anythingElseIsRejectedNamingTheValueAndTheAllowedOnes() {
            for (String bad : new String[] {"auto", "", "replay,display", "dual"}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pinnedTo(bad));
                assertEquals("org.replaydesk.policy.pinned: mode must be one of display, replay, got '" + bad + "'",
                        e.getMessage());
            }
        }
    }

    @Nested
    class LiveChange {

        @Test
        void switchingToReplayMovesADisplaySessionAtItsNextDecision() {
            PinnedPolicy policy = pinnedTo("display");
            ScriptedSession session = ScriptedSession.in(SessionMode.DISPLAY).advance(Duration.ofSeconds(5));
            assertStays(policy.decide(session.traffic(0, 0)));
            policy.modified(Configs.of(PinnedPolicy.Config.class, Map.of("mode", "replay")));
            assertEquals(Action.SWITCH_TO_REPLAY, policy.decide(session.traffic(0, 0)).action());
            assertTrue(policy.describe().startsWith("pinned: holds sessions in replay"), policy.describe());
        }

        @Test
        void switchingToDisplayBringsAReplaySessionBack() {
            PinnedPolicy policy = pinnedTo("replay");
            ScriptedSession session = ScriptedSession.in(SessionMode.REPLAY).advance(Duration.ofSeconds(5));
            assertStays(policy.decide(session.traffic(0, 0)));
            policy.modified(Configs.of(PinnedPolicy.Config.class, Map.of("mode", "display")));
            assertEquals(Action.SWITCH_TO_DISPLAY, policy.decide(session.traffic(0, 0)).action());
        }

        @Test
        void anInvalidChangeIsRejectedAndThePinnedModeStays() {
            PinnedPolicy policy = pinnedTo("replay");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> policy.modified(Configs.of(PinnedPolicy.Config.class, Map.of("mode", "auto"))));
            assertTrue(e.getMessage().contains("'auto'"), e.getMessage());
            assertEquals(PinnedPolicy.PinnedMode.REPLAY, policy.mode());
            assertEquals(Action.SWITCH_TO_REPLAY,
                    policy.decide(ScriptedSession.in(SessionMode.DISPLAY).traffic(0, 0)).action());
        }
    }
}
