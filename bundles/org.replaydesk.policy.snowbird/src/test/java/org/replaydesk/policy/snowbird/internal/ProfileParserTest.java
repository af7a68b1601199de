package org.replaydesk.policy.snowbird.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.policy.snowbird.internal.Profile.Condition;
import org.replaydesk.policy.snowbird.internal.Profile.Rule;
import org.replaydesk.policy.snowbird.internal.Profile.State;

/** Parsing and validation of snowbird profiles: a golden sample, the built-in profile, files, every error. */
class ProfileParserTest {

    /** A small valid profile; each invalid case below breaks exactly one thing in it. */
    static final String VALID = """
            {
              "name": "t",
              "initial": "display",
              "states": { "display": {"mode": "display"}, "replay": {"mode": "replay"} },
              "rules": [
                { "name": "busy", "from": "display", "to": "replay", "priority": "interactivity",
                  "when": [ {"sensor": "inputEvents", "op": ">=", "value": 15} ], "holdSeconds": 10 },
                { "name": "quiet", "from": "replay", "to": "display",
                  "when": [ {"sensor": "inputEvents", "op": "<", "value": 5} ], "holdSeconds": 10 }
              ]
            }
            """;

    @Test
    void theValidBaseParses() {
        Profile p = ProfileParser.parse(VALID, "test");
        assertEquals(2, p.rules().size());
    }

    @Test
    void goldenParseOfTheSampleProfile() throws IOException {
        Profile p = ProfileParser.parse(resource("sample-profile.json"), "sample");

        assertEquals("cad-workstation", p.name());
        assertEquals("A CAD tool: rotate models locally, type on the server", p.description());
        State thin = new State("thin", SessionMode.DISPLAY, "server display");
        State local = new State("local", SessionMode.REPLAY, "");
        State render = new State("render", SessionMode.REPLAY, "");
        assertEquals(List.of(thin, local, render), p.states());
        assertEquals(thin, p.initial());
        assertEquals(thin, p.followDisplay());
        assertEquals(render, p.followReplay());

        Rule rotate = new Rule(0, "rotate", List.of(thin, render), local, Profile.INTERACTIVITY_PRIORITY,
                List.of(new Condition(Sensor.INPUT_EVENTS, Comparison.GREATER_OR_EQUAL, 15, "15"),
                        new Condition(Sensor.FRAMES_PER_SECOND_AFTER_INPUT, Comparison.GREATER, 24.5, "24.5")),
                Duration.ofMillis(2500));
        Rule calm = new Rule(1, "calm", List.of(local), render, -3,
                List.of(new Condition(Sensor.CLIENT_CPU_LOAD, Comparison.LESS_OR_EQUAL, 0.5, "0.5")), Duration.ZERO);
        Rule back = new Rule(2, "back", List.of(render), thin, Profile.TRAFFIC_PRIORITY,
                List.of(new Condition(Sensor.REPLAY_TO_DISPLAY_RATIO, Comparison.NOT_EQUAL, 1, "1")),
                Duration.ofSeconds(60));
        assertEquals(List.of(rotate, calm, back), p.rules());
        assertEquals(List.of(rotate), p.rulesFrom(thin));
        assertEquals(List.of(rotate, back), p.rulesFrom(render));
    }

    @Test
    void theBuiltInProfileParsesWithSnowbirdsThresholds() {
        Profile p = ProfileParser.builtIn();
        assertEquals("default", p.name());
        assertEquals(List.of("display", "interactive", "streaming"), p.states().stream().map(State::name).toList());
        assertEquals("display", p.initial().name());
        Rule interactive = p.rules().get(0);
        assertEquals("interactive-graphics", interactive.name());
        assertEquals(Profile.INTERACTIVITY_PRIORITY, interactive.priority());
        assertEquals(List.of(new Condition(Sensor.INPUT_EVENTS, Comparison.GREATER_OR_EQUAL, 15, "15"),
                new Condition(Sensor.FRAMES_PER_SECOND_AFTER_INPUT, Comparison.GREATER_OR_EQUAL, 20, "20")),
                interactive.when());
        assertEquals(Duration.ofSeconds(10), interactive.hold());
        assertEquals(List.of("interactive-graphics", "typing", "interaction-over", "replay-much-cheaper",
                "display-cheaper"), p.rules().stream().map(Rule::name).toList());
    }

    @Test
    void aProfileFromAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cad.json");
        Files.writeString(file, resource("sample-profile.json"));
        assertEquals("cad-workstation", ProfileParser.parseFile(file).name());
    }

    @Test
    void aMissingFileIsNamedInTheMessage(@TempDir Path dir) {
        Path file = dir.resolve("nope.json");
        InvalidProfileException e = assertThrows(InvalidProfileException.class, () -> ProfileParser.parseFile(file));
        assertTrue(e.getMessage().startsWith("invalid snowbird profile " + file + ": cannot read it: "),
                e.getMessage());
    }

    @Test
    void anInvalidFileNamesThePathTheFieldAndTheReason(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.json");
        Files.writeString(file, VALID.replace("\"sensor\": \"inputEvents\", \"op\": \">=\"",
                "\"sensor\": \"fps\", \"op\": \">=\""));
        InvalidProfileException e = assertThrows(InvalidProfileException.class, () -> ProfileParser.parseFile(file));
        assertEquals("invalid snowbird profile " + file + ": rules[0].when[0].sensor: unknown sensor 'fps' (known: "
                + "inputEvents, framesPerSecondAfterInput, displayBytesPerSecond, replayBytesPerSecond,"
                + " logBytesPerSecond, chunkBytesPerSecond, replayToDisplayRatio, vmCpuLoad, vmNetworkBytesPerSecond,"
                + " clientCpuLoad, roundTripMillis, replayLagMillis, viewers, timeInModeSeconds)", e.getMessage());
        assertEquals("rules[0].when[0].sensor", e.field());
    }

    static Stream<Arguments> invalidProfiles() {
        return Stream.of(
                broken("\"sensor\": \"inputEvents\", \"op\": \">=\"", "\"sensor\": \"fps\", \"op\": \">=\"",
                        "rules[0].when[0].sensor", "unknown sensor 'fps' (known: inputEvents, "),
                broken("\"to\": \"replay\"", "\"to\": \"replai\"",
                        "rules[0].to", "unknown state 'replai' (known: display, replay)"),
                broken("\"initial\": \"display\",", "",
                        "initial", "missing"),
                broken("\"initial\": \"display\"", "\"initial\": \"desk\"",
                        "initial", "unknown state 'desk'"),
                broken("\"op\": \">=\"", "\"op\": \"=>\"",
                        "rules[0].when[0].op", "unknown operator '=>' (known: <, <=, >, >=, ==, !=)"),
                broken("\"value\": 15", "\"value\": \"15\"",
                        "rules[0].when[0].value", "must be a number, got \"15\""),
                broken("\"holdSeconds\": 10 },", "\"holdSeconds\": -1 },",
                        "rules[0].holdSeconds", "must not be negative, got -1"),
                broken("\"holdSeconds\": 10 },", "\"holdSeconds\": \"ten\" },",
                        "rules[0].holdSeconds", "must be a number of seconds"),
                broken("\"replay\": {\"mode\": \"replay\"} }", "\"replay\": {\"mode\": \"replay\"},"
                        + " \"display\": {\"mode\": \"display\"} }",
                        "states", "duplicate state 'display' (line 4, column 86)"),
                broken("\"replay\": {\"mode\": \"replay\"} }", "\"replay\": {\"mode\": \"replay\"},"
                        + " \"orphan\": {\"mode\": \"replay\"} }",
                        "states.orphan", "unreachable: not the initial or a follow state, and no rule leads to it"),
                broken("\"from\": \"display\"", "\"from\": [\"display\", \"nowhere\"]",
                        "rules[0].from[1]", "unknown state 'nowhere'"),
                broken("{\"mode\": \"replay\"}", "{\"mode\": \"local\"}",
                        "states.replay.mode", "must be 'display' or 'replay', got \"local\""),
                broken("\"priority\": \"interactivity\"", "\"priority\": \"urgent\"",
                        "rules[0].priority", "must be 'interactivity' (100), 'traffic' (0) or an integer"),
                broken("\"holdSeconds\": 10 },", "\"hold\": 10 },",
                        "rules[0].hold", "unknown field (known: name, description, from, to, priority, when,"
                                + " holdSeconds)"),
                broken("\"when\": [ {\"sensor\": \"inputEvents\", \"op\": \">=\", \"value\": 15} ]", "\"when\": []",
                        "rules[0].when", "must be a non-empty array of conditions"),
                broken("{\"mode\": \"replay\"}", "{\"mode\": \"display\"}",
                        "states", "no state has mode 'replay'"),
                broken("\"name\": \"quiet\"", "\"name\": \"busy\"",
                        "rules[1].name", "duplicate rule name 'busy'"),
                broken("\"to\": \"replay\"", "\"to\": \"display\"",
                        "rules[0].to", "'display' is also in from: a rule must change the state"),
                broken("\"initial\": \"display\",", "\"initial\": \"display\", \"follow\": {\"replay\": \"display\"},",
                        "follow.replay", "state 'display' has mode 'display', not 'replay'"),
                broken("\"value\": 5}", "\"value\": 5,}",
                        "line 9, column 65", "malformed JSON: Unexpected character ('}'"),
                broken("\"name\": \"t\",", "",
                        "name", "missing"));
    }

    private static Arguments broken(String from, String to, String field, String reasonStart) {
        return Arguments.of(from, to, field, reasonStart);
    }

    @ParameterizedTest(name = "{2}: {3}")
    @MethodSource("invalidProfiles")
    void anInvalidProfileIsRejectedNamingTheField(String from, String to, String field, String reasonStart) {
        assertTrue(VALID.contains(from), "the case must break the valid profile: " + from);
        String json = VALID.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to));
        InvalidProfileException e = assertThrows(InvalidProfileException.class,
                () -> ProfileParser.parse(json, "/etc/x.json"));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(1, e.problems().size(), () -> "one break, one problem: " + e.getMessage());
        String prefix = "invalid snowbird profile /etc/x.json: " + field + ": " + reasonStart;
        assertTrue(e.getMessage().startsWith(prefix), () -> "expected a message starting with\n  " + prefix
                + "\nbut got\n  " + e.getMessage());
    }

    @Test
    void everyProblemIsReportedInDocumentOrder() {
        String json = VALID.replace("\"name\": \"t\",", "\"name\": \"t\", \"colour\": \"blue\",")
                .replace("{\"mode\": \"replay\"}", "{\"mode\": \"local\"}")
                .replace("\"op\": \">=\", \"value\": 15", "\"op\": \"=>\", \"value\": \"15\"")
                .replace("\"holdSeconds\": 10 },", "\"holdSeconds\": -1 },");
        InvalidProfileException e = assertThrows(InvalidProfileException.class, () -> ProfileParser.parse(json, "x"));
        // the broken state 'replay' is reported once, not again where rules[0] and rules[1] refer to it
        assertEquals(List.of("colour", "states.replay.mode", "rules[0].when[0].op", "rules[0].when[0].value",
                "rules[0].holdSeconds"), e.problems().stream().map(InvalidProfileException.Problem::field).toList());
        assertTrue(e.getMessage().startsWith("invalid snowbird profile x: colour: unknown field (known: name,"
                + " description, initial, states, rules, follow); states.replay.mode: must be 'display' or 'replay',"
                + " got \"local\"; rules[0].when[0].op: "), e.getMessage());
    }

    @Test
    void aRuleWithoutANameIsCalledByItsPosition() {
        Profile p = ProfileParser.parse(VALID.replace("\"name\": \"quiet\", ", ""), "x");
        assertEquals("rules[1]", p.rules().get(1).name());
    }

    @Test
    void aTopLevelThatIsNotAnObjectIsRejected() {
        InvalidProfileException e = assertThrows(InvalidProfileException.class,
                () -> ProfileParser.parse("[1, 2]", "inline"));
        assertEquals("invalid snowbird profile inline: (top level): must be the profile, got array", e.getMessage());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ProfileParserTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
