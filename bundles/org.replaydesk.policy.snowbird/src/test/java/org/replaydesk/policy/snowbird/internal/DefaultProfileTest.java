package org.replaydesk.policy.snowbird.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.policy.snowbird.internal.Phases.animating;
import static org.replaydesk.policy.snowbird.internal.Phases.at;
import static org.replaydesk.policy.snowbird.internal.Phases.idle;
import static org.replaydesk.policy.snowbird.internal.Phases.typing;
import static org.replaydesk.policy.snowbird.internal.Phases.video;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeDecision.Action;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/** The built-in profile against scripted usage phases, one decision per scripted second. */
class DefaultProfileTest {

    private final SnowbirdPolicy policy = new SnowbirdPolicy("", "", 20);

    private ModeDecision decide(SessionMetrics.Builder metrics) {
        return policy.decide(metrics.build());
    }

    private Optional<String> state(String session) {
        return policy.runner().stateOf(session);
    }

    /** Feeds one decision per second from {@code from} to {@code to} inclusive and asserts each one stays. */
    private void staysFor(double from, double to, java.util.function.DoubleFunction<SessionMetrics.Builder> phase) {
        for (double t = from; t <= to + 1e-9; t += 1) {
            ModeDecision d = decide(phase.apply(t));
            assertTrue(d.isStay(), "at " + t + " s: " + d);
        }
    }

    @Test
    void typingStaysInDisplay() {
        staysFor(0, 120, t -> typing("s1", SessionMode.DISPLAY, t));
        assertEquals(Optional.of("display"), state("s1"));
    }

    @Test
    void anIdleSessionStaysInDisplay() {
        staysFor(0, 120, t -> idle("s1", SessionMode.DISPLAY, t));
        assertEquals(Optional.of("display"), state("s1"));
    }

    @Test
    void anAnimationPhaseSwitchesToReplayAfterExactlyTenSeconds() {
        staysFor(0, 9, t -> animating("s1", SessionMode.DISPLAY, t));
        assertTrue(decide(animating("s1", SessionMode.DISPLAY, 9.9)).isStay(), "9.9 s is not yet 10 s");

        ModeDecision d = decide(animating("s1", SessionMode.DISPLAY, 10));

        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertEquals("snowbird rule 'interactive-graphics' (display -> interactive): inputEvents 22 >= 15 and"
                + " framesPerSecondAfterInput 31.0 >= 20 held 10.0 s", d.reason());
        assertEquals(Optional.of("interactive"), state("s1"));
    }

    @Test
    void aBreakInTheInteractionRestartsTheHoldTime() {
        staysFor(0, 8, t -> animating("s1", SessionMode.DISPLAY, t));
        // one second under 20 FPS: the condition no longer held continuously
        assertTrue(decide(animating("s1", SessionMode.DISPLAY, 9).framesPerSecondAfterInput(19.5)).isStay());
        staysFor(10, 19, t -> animating("s1", SessionMode.DISPLAY, t));
        assertTrue(decide(animating("s1", SessionMode.DISPLAY, 19.9)).isStay());
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("s1", SessionMode.DISPLAY, 20)).action());
    }

    @Test
    void fewerThanFifteenInputsIsNotInteractiveHoweverManyFrames() {
        staysFor(0, 60, t -> animating("s1", SessionMode.DISPLAY, t).input(14, Duration.ofSeconds(10)));
    }

    /** Switches s1 to replay through an animation phase and walks it through DUAL into REPLAY at 20 s. */
    private void inReplayAfterAnimation() {
        staysFor(0, 9, t -> animating("s1", SessionMode.DISPLAY, t));
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("s1", SessionMode.DISPLAY, 10)).action());
        staysFor(11, 19, t -> animating("s1", SessionMode.DUAL, t).timeInDual(Duration.ofSeconds((long) t - 10)));
        staysFor(20, 40, t -> animating("s1", SessionMode.REPLAY, t));
        assertEquals(Optional.of("interactive"), state("s1"));
    }

    @Test
    void typingInReplayGoesBackToDisplayAfterTenSeconds() {
        inReplayAfterAnimation();
        staysFor(41, 50, t -> typing("s1", SessionMode.REPLAY, t));
        assertTrue(decide(typing("s1", SessionMode.REPLAY, 50.9)).isStay());

        ModeDecision d = decide(typing("s1", SessionMode.REPLAY, 51));

        assertEquals(Action.SWITCH_TO_DISPLAY, d.action());
        assertEquals("snowbird rule 'typing' (interactive -> display): inputEvents 40 >= 15 and"
                + " framesPerSecondAfterInput 3.0 < 10 held 10.0 s", d.reason());
        assertEquals(ModeDecision.Cause.WORKLOAD, d.cause(), "what the user does, not a client that lags");
    }

    @Test
    void betweenTenAndTwentyFramesTheInteractiveStateHolds() {
        inReplayAfterAnimation();
        // the hysteresis band: not enough frames to enter replay, too many to leave it
        staysFor(41, 200, t -> animating("s1", SessionMode.REPLAY, t).framesPerSecondAfterInput(14));
        assertEquals(Optional.of("interactive"), state("s1"));
    }

    @Test
    void anIdlePhaseInReplayLetsTrafficDecide() {
        inReplayAfterAnimation();
        // interaction over for 30 s: the state moves to 'streaming' without changing the mode
        staysFor(41, 71, t -> idle("s1", SessionMode.REPLAY, t).display(2_000, false).replay(1_500, true));
        assertEquals(Optional.of("streaming"), state("s1"));
        // now replay costs more than the display would: back after 20 s
        staysFor(72, 91, t -> idle("s1", SessionMode.REPLAY, t).display(2_000, false).replay(5_000, true));
        ModeDecision d = decide(idle("s1", SessionMode.REPLAY, 92).display(2_000, false).replay(5_000, true));
        assertEquals(Action.SWITCH_TO_DISPLAY, d.action());
        assertEquals("snowbird rule 'display-cheaper' (streaming -> display): replayToDisplayRatio 2.5 >= 1.1 held"
                + " 20.0 s", d.reason());
        assertEquals(ModeDecision.Cause.WORKLOAD, d.cause());
    }

    @Test
    void aVideoNobodyTouchesSwitchesToReplayOnTraffic() {
        staysFor(0, 19, t -> video("s1", SessionMode.DISPLAY, t));
        ModeDecision d = decide(video("s1", SessionMode.DISPLAY, 20));
        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertEquals("snowbird rule 'replay-much-cheaper' (display -> streaming): replayToDisplayRatio 0.05 <= 0.1"
                + " and displayBytesPerSecond 800000.0 >= 65536 held 20.0 s", d.reason());
    }

    @Test
    void aBuildingInteractivePhaseBlocksAReadyTrafficRule() {
        // cheap replay from 0 s; the user starts rotating a model at 15 s
        staysFor(0, 14, t -> video("s1", SessionMode.DISPLAY, t));
        // at 20 s the traffic rule has held its 20 s, but the interactivity rule holds too (since 15 s): it waits
        staysFor(15, 24, t -> video("s1", SessionMode.DISPLAY, t).input(30, Duration.ofSeconds(10))
                .framesPerSecondAfterInput(40));
        ModeDecision d = decide(video("s1", SessionMode.DISPLAY, 25).input(30, Duration.ofSeconds(10))
                .framesPerSecondAfterInput(40));
        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertTrue(d.reason().startsWith("snowbird rule 'interactive-graphics' (display -> interactive)"),
                d.reason());
        assertEquals(Optional.of("interactive"), state("s1"));
    }

    @Test
    void twoSessionsKeepTheirOwnStateAndTimers() {
        for (int t = 0; t < 10; t++) {
            assertTrue(decide(animating("a", SessionMode.DISPLAY, t)).isStay());
            assertTrue(decide(typing("b", SessionMode.DISPLAY, t)).isStay());
        }
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("a", SessionMode.DISPLAY, 10)).action());
        assertTrue(decide(typing("b", SessionMode.DISPLAY, 10)).isStay());
        // b starts animating only now: its timer starts now, not when a's did
        staysFor(11, 20, t -> animating("b", SessionMode.DISPLAY, t));
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("b", SessionMode.DISPLAY, 21)).action());
        assertEquals(Optional.of("interactive"), state("a"));
        assertEquals(Optional.of("interactive"), state("b"));
        assertEquals(2, policy.runner().trackedSessions());
    }

    @Test
    void theProfileFollowsASessionTheSafetyRulesBroughtBackToDisplay() {
        inReplayAfterAnimation();
        // the replayer lags: the inherited safety rule sends the session back, whatever the profile's state
        ModeDecision d = decide(animating("s1", SessionMode.REPLAY, 41).replayLag(Duration.ofMillis(800)));
        assertEquals(Action.SWITCH_TO_DISPLAY, d.action());
        assertEquals("replay lags 800 ms behind the server (limit 500 ms)", d.reason());
        // the failed attempt starts the back-off; the profile follows the actual mode and does not fire meanwhile
        staysFor(42, 41 + 1199, t -> animating("s1", SessionMode.DISPLAY, t).lastFailedSwitch(at(41)));
        assertEquals(Optional.of("display"), state("s1"));
        // when the 20 minutes are over, the interaction, held all along, switches at once
        assertEquals(Action.SWITCH_TO_REPLAY,
                decide(animating("s1", SessionMode.DISPLAY, 41 + 1200).lastFailedSwitch(at(41))).action());
    }

    @Test
    void aSessionFoundInReplayIsFollowedToTheReplayFollowState() {
        // the operator forced replay while the profile saw display
        staysFor(0, 5, t -> idle("s1", SessionMode.DISPLAY, t));
        assertTrue(decide(idle("s1", SessionMode.REPLAY, 6)).isStay());
        assertEquals(Optional.of("streaming"), state("s1"));
    }

    @Test
    void typingDuringTheDualPhaseAbandonsTheAttempt() {
        staysFor(0, 9, t -> animating("s1", SessionMode.DISPLAY, t));
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("s1", SessionMode.DISPLAY, 10)).action());
        staysFor(11, 20, t -> typing("s1", SessionMode.DUAL, t).timeInDual(Duration.ofSeconds((long) t - 10)));
        ModeDecision d = decide(typing("s1", SessionMode.DUAL, 21).timeInDual(Duration.ofSeconds(11)));
        assertEquals(Action.SWITCH_TO_DISPLAY, d.action());
        assertTrue(d.reason().startsWith("snowbird rule 'typing' (interactive -> display): "), d.reason());
        assertTrue(d.reason().endsWith("held 10.0 s; abandoning the attempt"), d.reason());
    }

    @Test
    void theDualCapStillApplies() {
        staysFor(0, 9, t -> animating("s1", SessionMode.DISPLAY, t));
        decide(animating("s1", SessionMode.DISPLAY, 10));
        ModeDecision d = decide(animating("s1", SessionMode.DUAL, 215).timeInDual(Duration.ofSeconds(205)));
        assertEquals(Action.SWITCH_TO_DISPLAY, d.action());
        assertTrue(d.reason().startsWith("dual mode lasted 205.0 s"), d.reason());
    }

    @Test
    void aLongGapBetweenDecisionsRestartsTheHoldTime() {
        assertTrue(decide(animating("s1", SessionMode.DISPLAY, 0)).isStay());
        // not asked for 40 s (the operator pinned display meanwhile): nobody saw the interaction hold
        assertTrue(decide(animating("s1", SessionMode.DISPLAY, 40)).isStay());
        staysFor(41, 49, t -> animating("s1", SessionMode.DISPLAY, t));
        assertEquals(Action.SWITCH_TO_REPLAY, decide(animating("s1", SessionMode.DISPLAY, 50)).action());
    }

    @Test
    void sessionsNotSeenForTenMinutesAreForgotten() {
        decide(animating("old", SessionMode.DISPLAY, 0));
        decide(idle("new", SessionMode.DISPLAY, 599));
        assertEquals(2, policy.runner().trackedSessions(), "9 min 59 s: still kept");
        decide(idle("new", SessionMode.DISPLAY, 661));
        assertEquals(Optional.empty(), state("old"));
        assertEquals(1, policy.runner().trackedSessions());
    }
}
