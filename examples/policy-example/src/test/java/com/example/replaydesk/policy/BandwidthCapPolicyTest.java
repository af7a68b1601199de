package com.example.replaydesk.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeDecision.Action;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/** The policy's rules against scripted metrics, and its configuration checks. */
class BandwidthCapPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private final BandwidthCapPolicy policy = new BandwidthCapPolicy(32768, 20, 0.8);

    private static SessionMetrics.Builder display(double displayBytesPerSecond, double clientCpu) {
        return SessionMetrics.builder().session("s1").now(NOW).mode(SessionMode.DISPLAY)
                .window(Duration.ofSeconds(20)).display(displayBytesPerSecond, true).clientCpuLoad(clientCpu);
    }

    private static SessionMetrics.Builder inMode(SessionMode mode, double replayBytesPerSecond, boolean measured) {
        return SessionMetrics.builder().session("s1").now(NOW).mode(mode).window(Duration.ofSeconds(20))
                .display(100_000, mode != SessionMode.REPLAY).replay(replayBytesPerSecond, measured);
    }

    @Test
    void trafficOverTheCapWithAnIdleClientSwitchesToReplayNamingTheNumbers() {
        ModeDecision decision = policy.decide(display(50_000, 0.25).build());
        assertEquals(Action.SWITCH_TO_REPLAY, decision.action());
        assertEquals("example-bandwidth-cap: display traffic 50000 B/s over the last 20.0 s exceeds the cap of"
                + " 32768 B/s; client CPU 25% < 80%", decision.reason());
    }

    @Test
    void trafficAtOrBelowTheCapStays() {
        assertTrue(policy.decide(display(32768, 0.1).build()).isStay());
        assertTrue(policy.decide(display(0, 0.1).build()).isStay());
    }

    @Test
    void aBusyOrUnknownClientStays() {
        assertTrue(policy.decide(display(50_000, 0.8).build()).isStay());
        assertTrue(policy.decide(display(50_000, 0.95).build()).isStay());
        assertTrue(policy.decide(display(50_000, Double.NaN).build()).isStay());
    }

    @Test
    void theInheritedBackOffHoldsAfterAFailedAttempt() {
        SessionMetrics justFailed = display(50_000, 0.1).lastFailedSwitch(NOW.minusSeconds(60)).build();
        assertTrue(policy.decide(justFailed).isStay());
        SessionMetrics longAgo = display(50_000, 0.1).lastFailedSwitch(NOW.minus(Duration.ofMinutes(21))).build();
        assertEquals(Action.SWITCH_TO_REPLAY, policy.decide(longAgo).action());
    }

    @Test
    void measuredReplayOverTheCapGoesBackToDisplay() {
        ModeDecision decision = policy.decide(inMode(SessionMode.REPLAY, 40_000, true).build());
        assertEquals(Action.SWITCH_TO_DISPLAY, decision.action());
        assertEquals("example-bandwidth-cap: measured replay traffic 40000 B/s over the last 20.0 s exceeds the cap"
                + " of 32768 B/s; back to display", decision.reason());
    }

    @Test
    void replayUnderTheCapOrOnlyEstimatedStays() {
        assertTrue(policy.decide(inMode(SessionMode.REPLAY, 20_000, true).build()).isStay());
        assertTrue(policy.decide(inMode(SessionMode.REPLAY, 40_000, false).build()).isStay());
    }

    @Test
    void dualModeOverTheCapIsAbandoned() {
        ModeDecision decision = policy.decide(inMode(SessionMode.DUAL, 40_000, true)
                .timeInDual(Duration.ofSeconds(30)).build());
        assertEquals(Action.SWITCH_TO_DISPLAY, decision.action());
        assertTrue(decision.reason().endsWith("abandoning the attempt"), decision.reason());
        assertTrue(policy.decide(inMode(SessionMode.DUAL, 1_000, true).timeInDual(Duration.ofSeconds(30)).build())
                .isStay());
    }

    @Test
    void theInheritedLagBoundStillApplies() {
        ModeDecision decision = policy.decide(inMode(SessionMode.REPLAY, 1_000, true)
                .replayLag(Duration.ofMillis(900)).build());
        assertEquals(Action.SWITCH_TO_DISPLAY, decision.action());
        assertTrue(decision.reason().contains("900 ms"), decision.reason());
    }

    @Test
    void theWindowIsTheConfiguredOne() {
        assertEquals(Duration.ofSeconds(45), new BandwidthCapPolicy(1000, 45, 0.5).window());
    }

    @Test
    void outOfRangeSettingsAreRejectedNamingTheKey() {
        assertMessageNames("cap.bytes.per.second", () -> new BandwidthCapPolicy(0, 20, 0.8));
        assertMessageNames("window.seconds", () -> new BandwidthCapPolicy(1000, 0, 0.8));
        assertMessageNames("window.seconds", () -> new BandwidthCapPolicy(1000, 301, 0.8));
        assertMessageNames("max.client.cpu", () -> new BandwidthCapPolicy(1000, 20, 0));
        assertMessageNames("max.client.cpu", () -> new BandwidthCapPolicy(1000, 20, 1.5));
        assertMessageNames("max.client.cpu", () -> new BandwidthCapPolicy(1000, 20, Double.NaN));
    }

    private static void assertMessageNames(String key, org.junit.jupiter.api.function.Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
