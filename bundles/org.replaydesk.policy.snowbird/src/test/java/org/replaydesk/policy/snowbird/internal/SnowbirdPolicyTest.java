package org.replaydesk.policy.snowbird.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.policy.snowbird.internal.Phases.idle;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeDecision.Action;
import org.replaydesk.api.session.SessionMode;

/** The DS component: where the profile comes from, reloads, the window, and how priorities resolve conflicts. */
class SnowbirdPolicyTest {

    /** Replay after 5 s of at least {@code THRESHOLD} inputs, back after 5 s of fewer than 2. */
    private static String inputProfile(String name, int threshold) {
        return """
                { "name": "%s", "initial": "display",
                  "states": { "display": {"mode": "display"}, "replay": {"mode": "replay"} },
                  "rules": [
                    { "name": "busy", "from": "display", "to": "replay", "priority": "interactivity",
                      "when": [ {"sensor": "inputEvents", "op": ">=", "value": %d} ], "holdSeconds": 5 },
                    { "name": "quiet", "from": "replay", "to": "display",
                      "when": [ {"sensor": "inputEvents", "op": "<", "value": 2} ], "holdSeconds": 5 } ] }
                """.formatted(name, threshold);
    }

    /** From display, a traffic rule to replay and an interactivity rule to another display state, same hold. */
    private static final String CONFLICT = """
            { "name": "conflict", "initial": "display",
              "states": { "display": {"mode": "display"}, "replay": {"mode": "replay"},
                          "typing": {"mode": "display"} },
              "rules": [
                { "name": "cheap", "from": "display", "to": "replay", "priority": "traffic",
                  "when": [ {"sensor": "replayToDisplayRatio", "op": "<", "value": 0.5} ], "holdSeconds": 5 },
                { "name": "keyboard", "from": "display", "to": "typing", "priority": "interactivity",
                  "when": [ {"sensor": "inputEvents", "op": ">=", "value": 15} ], "holdSeconds": 5 },
                { "name": "done", "from": ["typing", "replay"], "to": "display",
                  "when": [ {"sensor": "inputEvents", "op": "==", "value": 0} ] } ] }
            """;

    /** Two replay rules: numeric priorities 3 and 7, and a tie at 7 broken by declaration order. */
    private static final String NUMERIC = """
            { "name": "numeric", "initial": "display",
              "states": { "display": {"mode": "display"}, "a": {"mode": "replay"}, "b": {"mode": "replay"},
                          "c": {"mode": "replay"} },
              "rules": [
                { "name": "to-a", "from": "display", "to": "a", "priority": 3,
                  "when": [ {"sensor": "viewers", "op": ">=", "value": 1} ] },
                { "name": "to-b", "from": "display", "to": "b", "priority": 7,
                  "when": [ {"sensor": "viewers", "op": ">=", "value": 1} ] },
                { "name": "to-c", "from": "display", "to": "c", "priority": 7,
                  "when": [ {"sensor": "viewers", "op": ">=", "value": 1} ] },
                { "name": "back", "from": ["a", "b", "c"], "to": "display",
                  "when": [ {"sensor": "viewers", "op": "==", "value": 0} ] } ] }
            """;

    /** Replay on one viewer; back to display when the client lags, or when nobody watches. */
    private static final String LAGGING = """
            { "name": "lagging", "initial": "display",
              "states": { "display": {"mode": "display"}, "replay": {"mode": "replay"} },
              "rules": [
                { "name": "watched", "from": "display", "to": "replay",
                  "when": [ {"sensor": "viewers", "op": ">=", "value": 1} ] },
                { "name": "behind", "from": "replay", "to": "display",
                  "when": [ {"sensor": "viewers", "op": ">=", "value": 1},
                            {"sensor": "replayLagMillis", "op": ">", "value": 300} ] },
                { "name": "unwatched", "from": "replay", "to": "display",
                  "when": [ {"sensor": "viewers", "op": "==", "value": 0} ] } ] }
            """;

    @Test
    void aRuleOverTheClientsLagLeavesReplayAsClientBehindOtherRulesAsWorkload() {
        SnowbirdPolicy policy = new SnowbirdPolicy(config("", LAGGING, 20));
        ModeDecision behind = policy.decide(idle("lag", SessionMode.REPLAY, 0).replayLag(Duration.ofMillis(450))
                .build());
        assertEquals(Action.SWITCH_TO_DISPLAY, behind.action());
        assertEquals(ModeDecision.Cause.CLIENT_BEHIND, behind.cause(), behind.reason());
        ModeDecision unwatched = policy.decide(idle("nobody", SessionMode.REPLAY, 0).viewers(0).build());
        assertEquals(Action.SWITCH_TO_DISPLAY, unwatched.action());
        assertEquals(ModeDecision.Cause.WORKLOAD, unwatched.cause(), unwatched.reason());
    }

    private static ModeDecision busyFor(SnowbirdPolicy policy, String session, int inputs, int seconds) {
        ModeDecision last = ModeDecision.stay();
        for (int t = 0; t <= seconds; t++) {
            last = policy.decide(idle(session, SessionMode.DISPLAY, t).input(inputs, Duration.ofSeconds(10)).build());
            if (!last.isStay()) {
                return last;
            }
        }
        return last;
    }

    @Test
    void withoutConfigurationTheBuiltInProfileRuns() {
        SnowbirdPolicy policy = new SnowbirdPolicy(config("", "", 20));
        assertEquals("snowbird: profile 'default' from built-in default-profile.json (3 states, 5 rules), traffic"
                + " window 20 s", policy.describe());
        assertEquals(Duration.ofSeconds(20), policy.window());
    }

    @Test
    void aProfileFileIsLoaded(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("inputs.json");
        Files.writeString(file, inputProfile("from-file", 15));
        SnowbirdPolicy policy = new SnowbirdPolicy(config(file.toString(), "", 30));
        assertTrue(policy.describe().startsWith("snowbird: profile 'from-file' from " + file), policy.describe());
        assertEquals(Duration.ofSeconds(30), policy.window());
        assertEquals(Action.SWITCH_TO_REPLAY, busyFor(policy, "s1", 15, 5).action());
    }

    @Test
    void theInlineProfileWinsOverTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("inputs.json");
        Files.writeString(file, inputProfile("from-file", 15));
        SnowbirdPolicy policy = new SnowbirdPolicy(file.toString(), inputProfile("inline", 3), 20);
        assertTrue(policy.describe().startsWith("snowbird: profile 'inline' from profile.json (inline)"),
                policy.describe());
        assertEquals(Action.SWITCH_TO_REPLAY, busyFor(policy, "s1", 3, 5).action());
    }

    @Test
    void anInvalidProfileFailsActivationWithTheFieldPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.json");
        Files.writeString(file, inputProfile("x", 15).replace("\"to\": \"replay\"", "\"to\": \"replai\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SnowbirdPolicy(config(file.toString(), "", 20)));
        assertEquals("invalid snowbird profile " + file + ": rules[0].to: unknown state 'replai' (known: display,"
                + " replay)", e.getMessage());
    }

    @Test
    void aMissingProfileFileFailsActivation(@TempDir Path dir) {
        String missing = dir.resolve("missing.json").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SnowbirdPolicy(missing, "", 20));
        assertTrue(e.getMessage().startsWith("invalid snowbird profile " + missing + ": cannot read it"),
                e.getMessage());
    }

    @Test
    void aWindowOutOfRangeFailsActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SnowbirdPolicy("", "", 301));
        assertEquals("org.replaydesk.policy.snowbird: window.seconds must be 1 to 300, got 301", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SnowbirdPolicy("", "", 0));
    }

    @Test
    void aConfigurationChangeIsAppliedByANewInstance() {
        // DS re-creates the component on a configuration change (there is no @Modified method, see below)
        SnowbirdPolicy before = new SnowbirdPolicy(config("", inputProfile("strict", 15), 20));
        assertTrue(busyFor(before, "s1", 8, 30).isStay(), "8 inputs are not enough for 'strict'");

        SnowbirdPolicy after = new SnowbirdPolicy(config("", inputProfile("relaxed", 5), 40));

        assertTrue(after.describe().startsWith("snowbird: profile 'relaxed'"), after.describe());
        assertEquals(Duration.ofSeconds(40), after.window());
        ModeDecision d = busyFor(after, "s1", 8, 30);
        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertEquals("snowbird rule 'busy' (display -> replay): inputEvents 8 >= 5 held 5.0 s", d.reason());
    }

    @Test
    void anInvalidConfigurationChangeTakesThePolicyOutOfServiceNamingEveryProblem() {
        // what PolicyIT configures: a display-only profile whose nameless rule leads to a misspelt state
        String broken = "{\"name\":\"broken\",\"initial\":\"display\",\"states\":{\"display\":{\"mode\":"
                + "\"display\"}},\"rules\":[{\"from\":\"display\",\"to\":\"replai\",\"when\":[]}]}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SnowbirdPolicy(config("", broken, 20)));
        assertEquals("invalid snowbird profile profile.json (inline): states: no state has mode 'replay' (a session"
                + " can be found in either mode, and the profile must follow it); rules[0].to: unknown state 'replai'"
                + " (known: display); rules[0].when: must be a non-empty array of conditions, got array",
                e.getMessage());
    }

    @Test
    void theComponentIsReCreatedOnAConfigurationChange() throws IOException {
        // a modified method that throws leaves DS running the old instance, hiding an invalid profile
        String xml;
        try (var in = SnowbirdPolicy.class.getResourceAsStream(
                "/OSGI-INF/org.replaydesk.policy.snowbird.internal.SnowbirdPolicy.xml")) {
            xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(!xml.contains("modified="), xml);
        assertTrue(xml.contains("configuration-pid=\"org.replaydesk.policy.snowbird\""), xml);
        assertTrue(xml.contains("<property name=\"replaydesk.policy.name\" type=\"String\" value=\"snowbird\"/>"),
                xml);
    }

    @Test
    void interactivityWinsOverTrafficWhenBothHold() {
        SnowbirdPolicy policy = new SnowbirdPolicy("", CONFLICT, 20);
        for (int t = 0; t <= 5; t++) {
            // replay is 4x cheaper AND the user types: both rules hold from 0 s with the same hold time
            ModeDecision d = policy.decide(idle("s1", SessionMode.DISPLAY, t).display(100_000, true)
                    .replay(25_000, false).input(30, Duration.ofSeconds(10)).build());
            assertTrue(d.isStay(), "typing keeps display: " + d);
        }
        assertEquals(Optional.of("typing"), policy.runner().stateOf("s1"));
    }

    @Test
    void withoutTheInteractivityRuleTheTrafficRuleFires() {
        // the same readings but no typing: proves the conflict test above is decided by priority, not by chance
        SnowbirdPolicy policy = new SnowbirdPolicy("", CONFLICT, 20);
        ModeDecision d = ModeDecision.stay();
        for (int t = 0; t <= 5; t++) {
            d = policy.decide(idle("s1", SessionMode.DISPLAY, t).display(100_000, true).replay(25_000, false)
                    .input(1, Duration.ofSeconds(10)).build());
        }
        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertEquals("snowbird rule 'cheap' (display -> replay): replayToDisplayRatio 0.25 < 0.5 held 5.0 s",
                d.reason());
    }

    @Test
    void numericPrioritiesResolveHighestFirstAndTiesByDeclarationOrder() {
        SnowbirdPolicy policy = new SnowbirdPolicy("", NUMERIC, 20);
        ModeDecision d = policy.decide(idle("s1", SessionMode.DISPLAY, 0).viewers(2).build());
        assertEquals(Action.SWITCH_TO_REPLAY, d.action());
        assertEquals("snowbird rule 'to-b' (display -> b): viewers 2 >= 1 held 0.0 s", d.reason());
        assertEquals(Optional.of("b"), policy.runner().stateOf("s1"));
    }

    @Test
    void anUnknownReadingNeverSatisfiesACondition() {
        String profile = inputProfile("cpu", 15).replace("{\"sensor\": \"inputEvents\", \"op\": \">=\", \"value\": 15}",
                "{\"sensor\": \"vmCpuLoad\", \"op\": \"!=\", \"value\": 0.5}");
        SnowbirdPolicy policy = new SnowbirdPolicy("", profile, 20);
        for (int t = 0; t <= 30; t++) {
            assertTrue(policy.decide(idle("s1", SessionMode.DISPLAY, t).vmCpuLoad(Double.NaN).build()).isStay());
        }
        // a known reading other than 0.5 does satisfy it (held for the rule's 5 s)
        for (int t = 31; t < 36; t++) {
            assertTrue(policy.decide(idle("s1", SessionMode.DISPLAY, t).vmCpuLoad(1.5).build()).isStay());
        }
        assertEquals(Action.SWITCH_TO_REPLAY,
                policy.decide(idle("s1", SessionMode.DISPLAY, 36).vmCpuLoad(1.5).build()).action());
    }

    @Test
    void theActivateConstructorReadsTheMetatypeProperties() {
        SnowbirdPolicy policy = new SnowbirdPolicy(config("", inputProfile("via-config", 9), 45));
        assertTrue(policy.describe().startsWith("snowbird: profile 'via-config' from profile.json (inline)"),
                policy.describe());
        assertEquals(Duration.ofSeconds(45), policy.window());
    }

    /** What DS would hand the component for these properties. */
    private static SnowbirdConfiguration config(String profile, String json, int window) {
        return new SnowbirdConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SnowbirdConfiguration.class;
            }

            @Override
            public String profile() {
                return profile;
            }

            @Override
            public String profile_json() {
                return json;
            }

            @Override
            public int window_seconds() {
                return window;
            }
        };
    }
}
