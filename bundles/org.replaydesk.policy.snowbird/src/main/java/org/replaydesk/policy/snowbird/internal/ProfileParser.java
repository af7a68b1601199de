package org.replaydesk.policy.snowbird.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.replaydesk.api.session.SessionMode;
import org.replaydesk.policy.snowbird.internal.Profile.Condition;
import org.replaydesk.policy.snowbird.internal.Profile.Rule;
import org.replaydesk.policy.snowbird.internal.Profile.State;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads and validates snowbird profiles (format: docs/policy-spi.md, "snowbird"). Strict on purpose: an unknown
 * field, a duplicate key, a misspelt sensor or state is an error naming the field path, because a profile typo that
 * silently disables a rule would leave an operator wondering why sessions never switch. Every problem found is
 * reported at once (in document order), so an operator fixes a profile in one round rather than one error per
 * reload; only malformed JSON stops at its first error. Comments ({@code //} and {@code /* *}{@code /}) are allowed
 * so a profile can say why its thresholds are what they are.
 */
final class ProfileParser {

    /** Where the built-in profile lives, next to this class. */
    static final String DEFAULT_PROFILE_RESOURCE = "default-profile.json";
    /** How the built-in profile is named in messages. */
    static final String DEFAULT_PROFILE_SOURCE = "built-in " + DEFAULT_PROFILE_RESOURCE;
    /** Longest hold time accepted: a day. Longer is a typo (milliseconds written as seconds). */
    static final double MAX_HOLD_SECONDS = 86_400;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final List<String> PROFILE_FIELDS = List.of("name", "description", "initial", "states", "rules",
            "follow");
    private static final List<String> STATE_FIELDS = List.of("mode", "description");
    private static final List<String> RULE_FIELDS = List.of("name", "description", "from", "to", "priority", "when",
            "holdSeconds");
    private static final List<String> CONDITION_FIELDS = List.of("sensor", "op", "value");
    private static final List<String> FOLLOW_FIELDS = List.of("display", "replay");

    private final String source;
    /** Problems found so far, in document order. */
    private final List<InvalidProfileException.Problem> problems = new ArrayList<>();
    /** States declared but invalid: references to them are not reported again as unknown. */
    private final Set<String> brokenStates = new HashSet<>();

    /** One field's problem; caught where checking can go on with the next field, state or rule. */
    private static final class FieldError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String field;
        final String reason;

        /** @param field the field path; null for a consequence of a problem already recorded */
        FieldError(String field, String reason) {
            super(field + ": " + reason, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }

    private ProfileParser(String source) {
        this.source = source;
    }

    /**
     * @param json the profile's text
     * @param source where it came from, for messages
     * @return the profile
     * @throws InvalidProfileException naming the field and the reason
     */
    static Profile parse(String json, String source) {
        return new ProfileParser(source).parse(json);
    }

    /**
     * @param file a profile file (UTF-8)
     * @return the profile
     * @throws InvalidProfileException if it cannot be read or is invalid; the message starts with the file's path
     */
    static Profile parseFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidProfileException(file.toString(), "", "cannot read it: " + e);
        }
        return parse(text, file.toString());
    }

    /** @return the profile shipped in the bundle */
    static Profile builtIn() {
        return parse(builtInText(), DEFAULT_PROFILE_SOURCE);
    }

    /** @return the text of the profile shipped in the bundle */
    static String builtInText() {
        try (InputStream in = ProfileParser.class.getResourceAsStream(DEFAULT_PROFILE_RESOURCE)) {
            if (in == null) {
                throw new InvalidProfileException(DEFAULT_PROFILE_SOURCE, "", "missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidProfileException(DEFAULT_PROFILE_SOURCE, "", "cannot read it: " + e);
        }
    }

    private Profile parse(String json) {
        JsonNode root = readTree(json);
        if (!root.isObject()) {
            throw new InvalidProfileException(source, "(top level)", "must be the profile, got " + kind(root));
        }
        checkFields(root, "", PROFILE_FIELDS);
        String name = attempt(() -> requireText(root, "name"));
        String description = attempt(() -> optionalText(root, "description"));
        Map<String, State> states = states(root);
        State initial = null;
        List<Rule> rules = List.of();
        State followDisplay = null;
        State followReplay = null;
        if (states == null) {
            // without states no reference can be checked; still say what else is missing
            attempt(() -> requirePresent(root, "initial"));
            attempt(() -> requirePresent(root, "rules"));
        } else {
            initial = attempt(() -> stateRef(root.get("initial"), "initial", states));
            rules = rules(root.get("rules"), states);
            JsonNode follow = root.get("follow");
            if (follow != null && attempt(() -> requireObject(follow, "follow",
                    "an object with 'display' and/or 'replay'")) != null) {
                checkFields(follow, "follow", FOLLOW_FIELDS);
            }
            if (initial != null && hasBothModes(states)) {
                State i = initial;
                followDisplay = attempt(() -> follow(root, SessionMode.DISPLAY, i, states));
                followReplay = attempt(() -> follow(root, SessionMode.REPLAY, i, states));
            }
        }
        if (problems.isEmpty()) {
            // only on an otherwise sound profile: a rule that failed to parse would make its target look unreachable
            checkReachable(states, initial, followDisplay, followReplay, rules);
        }
        if (!problems.isEmpty()) {
            throw new InvalidProfileException(source, problems);
        }
        return new Profile(name, description, List.copyOf(states.values()), initial, followDisplay, followReplay,
                rules);
    }

    /** Runs one check; a failure is recorded and null returned so checking goes on. */
    private <T> T attempt(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (FieldError e) {
            if (e.field != null) {
                problems.add(new InvalidProfileException.Problem(e.field, e.reason));
            }
            return null;
        }
    }

    private Void requirePresent(JsonNode object, String field) {
        if (object.get(field) == null) {
            throw error(field, "missing");
        }
        return null;
    }

    private static boolean hasBothModes(Map<String, State> states) {
        return states.values().stream().anyMatch(s -> s.mode() == SessionMode.DISPLAY)
                && states.values().stream().anyMatch(s -> s.mode() == SessionMode.REPLAY);
    }

    private JsonNode readTree(String json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || root.isMissingNode()) {
                throw new InvalidProfileException(source, "", "empty: expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            String position = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            String original = e.getOriginalMessage();
            if (original != null && original.startsWith("Duplicate field")) {
                throw duplicate(e, original, position);
            }
            throw new InvalidProfileException(source, position, "malformed JSON: " + original);
        }
    }

    /** Names the object holding a duplicate key by its path, so "duplicate state" reads as such. */
    private InvalidProfileException duplicate(JsonProcessingException e, String original, String position) {
        String key = original.substring(original.indexOf('\'') + 1, original.lastIndexOf('\''));
        String path = "";
        if (e.getProcessor() instanceof JsonParser parser) {
            path = pathOf(parser.getParsingContext());
        }
        String what = "states".equals(path) ? "duplicate state '" + key + "'" : "duplicate field '" + key + "'";
        return new InvalidProfileException(source, path.isEmpty() ? position : path, what + " (" + position + ")");
    }

    /** @return the path of the JSON object or array {@code context} is in, e.g. {@code rules[1].when} */
    private static String pathOf(JsonStreamContext context) {
        JsonStreamContext parent = context.getParent();
        if (parent == null || parent.inRoot()) {
            return "";
        }
        String prefix = pathOf(parent);
        if (parent.inArray()) {
            return prefix + "[" + parent.getCurrentIndex() + "]";
        }
        return prefix.isEmpty() ? parent.getCurrentName() : prefix + "." + parent.getCurrentName();
    }

    /** @return the states, or null if there is no usable states object (the problem is recorded) */
    private Map<String, State> states(JsonNode root) {
        JsonNode node = root.get("states");
        boolean usable = attempt(() -> {
            if (node == null) {
                throw error("states", "missing");
            }
            requireObject(node, "states", "an object of state name to state");
            if (node.isEmpty()) {
                throw error("states", "no states");
            }
            return true;
        }) != null;
        if (!usable) {
            return null;
        }
        Map<String, State> states = new LinkedHashMap<>();
        boolean allParsed = true;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            State s = attempt(() -> state(e.getKey(), e.getValue()));
            if (s == null) {
                allParsed = false;
                brokenStates.add(e.getKey());
            } else {
                states.put(s.name(), s);
            }
        }
        if (allParsed) {
            for (SessionMode m : List.of(SessionMode.DISPLAY, SessionMode.REPLAY)) {
                if (states.values().stream().noneMatch(s -> s.mode() == m)) {
                    // the policy must have somewhere to put a session the safety rules or the operator moved
                    problems.add(new InvalidProfileException.Problem("states", "no state has mode '" + modeName(m)
                            + "' (a session can be found in either mode, and the profile must follow it)"));
                }
            }
        }
        return states;
    }

    private State state(String name, JsonNode state) {
        String path = "states." + name;
        if (name.isBlank()) {
            throw error(path, "a state needs a non-blank name");
        }
        requireObject(state, path, "an object");
        checkFields(state, path, STATE_FIELDS);
        JsonNode mode = state.get("mode");
        if (mode == null) {
            throw error(path + ".mode", "missing (display or replay)");
        }
        SessionMode m = switch (mode.isTextual() ? mode.asText() : "") {
            case "display" -> SessionMode.DISPLAY;
            case "replay" -> SessionMode.REPLAY;
            default -> throw error(path + ".mode", "must be 'display' or 'replay', got " + mode);
        };
        return new State(name, m, optionalText(state, path, "description"));
    }

    private List<Rule> rules(JsonNode node, Map<String, State> states) {
        boolean usable = attempt(() -> {
            if (node == null) {
                throw error("rules", "missing (an array, possibly empty)");
            }
            if (!node.isArray()) {
                throw error("rules", "must be an array, got " + kind(node));
            }
            return true;
        }) != null;
        if (!usable) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            Rule r = rule(i, node.get(i), states, names);
            if (r != null) {
                rules.add(r);
            }
        }
        return rules;
    }

    /** @return the rule, or null if any of its fields has a problem (each one recorded) */
    private Rule rule(int index, JsonNode rule, Map<String, State> states, Set<String> names) {
        String path = "rules[" + index + "]";
        if (attempt(() -> requireObject(rule, path, "an object")) == null) {
            return null;
        }
        int before = problems.size();
        checkFields(rule, path, RULE_FIELDS);
        // a rule without a name is called by its position, which is what an operator finds in the file
        String name = rule.get("name") == null ? path : attempt(() -> requireText(rule, path, "name"));
        if (name != null && !names.add(name)) {
            problems.add(new InvalidProfileException.Problem(path + ".name", "duplicate rule name '" + name + "'"));
        }
        List<State> from = attempt(() -> fromStates(rule.get("from"), path + ".from", states));
        State to = attempt(() -> stateRef(rule.get("to"), path + ".to", states));
        if (from != null && to != null && from.contains(to)) {
            problems.add(new InvalidProfileException.Problem(path + ".to", "'" + to.name()
                    + "' is also in from: a rule must change the state"));
        }
        Integer priority = attempt(() -> priority(rule.get("priority"), path + ".priority"));
        List<Condition> when = conditions(rule.get("when"), path + ".when");
        Duration hold = attempt(() -> hold(rule.get("holdSeconds"), path + ".holdSeconds"));
        if (problems.size() > before || name == null || from == null || to == null || priority == null
                || hold == null || when.size() != rule.get("when").size()) {
            return null;
        }
        return new Rule(index, name, from, to, priority, when, hold);
    }

    private List<State> fromStates(JsonNode node, String path, Map<String, State> states) {
        if (node == null) {
            throw error(path, "missing");
        }
        if (node.isTextual()) {
            return List.of(stateRef(node, path, states));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw error(path, "must be a state name or a non-empty array of state names, got " + kind(node));
        }
        List<State> from = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            State s = stateRef(node.get(i), path + "[" + i + "]", states);
            if (from.contains(s)) {
                throw error(path + "[" + i + "]", "'" + s.name() + "' listed twice");
            }
            from.add(s);
        }
        return from;
    }

    private int priority(JsonNode node, String path) {
        if (node == null) {
            return Profile.TRAFFIC_PRIORITY;
        }
        if (node.isTextual()) {
            switch (node.asText()) {
                case "interactivity":
                    return Profile.INTERACTIVITY_PRIORITY;
                case "traffic":
                    return Profile.TRAFFIC_PRIORITY;
                default:
                    break;
            }
        } else if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        throw error(path, "must be 'interactivity' (" + Profile.INTERACTIVITY_PRIORITY + "), 'traffic' ("
                + Profile.TRAFFIC_PRIORITY + ") or an integer, got " + node);
    }

    /** @return the conditions; problems are recorded (the caller sees them in the problem count) */
    private List<Condition> conditions(JsonNode node, String path) {
        boolean usable = attempt(() -> {
            if (node == null) {
                throw error(path, "missing (an array of conditions, all of which must hold)");
            }
            if (!node.isArray() || node.isEmpty()) {
                throw error(path, "must be a non-empty array of conditions, got " + kind(node));
            }
            return true;
        }) != null;
        List<Condition> conditions = new ArrayList<>();
        if (!usable) {
            return conditions;
        }
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode c = node.get(i);
            if (attempt(() -> requireObject(c, at, "an object")) == null) {
                continue;
            }
            checkFields(c, at, CONDITION_FIELDS);
            Sensor sensor = attempt(() -> {
                String sensorName = requireText(c, at, "sensor");
                return Sensor.byProfileName(sensorName).orElseThrow(() -> error(at + ".sensor",
                        "unknown sensor '" + sensorName + "' (known: " + Sensor.knownNames() + ")"));
            });
            Comparison comparison = attempt(() -> {
                String op = requireText(c, at, "op");
                return Comparison.bySymbol(op).orElseThrow(() -> error(at + ".op",
                        "unknown operator '" + op + "' (known: " + Comparison.knownSymbols() + ")"));
            });
            JsonNode value = attempt(() -> {
                JsonNode v = c.get("value");
                if (v == null) {
                    throw error(at + ".value", "missing");
                }
                if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                    throw error(at + ".value", "must be a number, got " + v);
                }
                return v;
            });
            if (sensor != null && comparison != null && value != null) {
                conditions.add(new Condition(sensor, comparison, value.doubleValue(), value.asText()));
            }
        }
        return conditions;
    }

    private Duration hold(JsonNode node, String path) {
        if (node == null) {
            return Duration.ZERO;
        }
        if (!node.isNumber()) {
            throw error(path, "must be a number of seconds, got " + node);
        }
        double seconds = node.doubleValue();
        if (!(seconds >= 0)) {
            throw error(path, "must not be negative, got " + node);
        }
        if (seconds > MAX_HOLD_SECONDS) {
            throw error(path, "at most " + (long) MAX_HOLD_SECONDS + " (a day), got " + node);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private State follow(JsonNode root, SessionMode mode, State initial, Map<String, State> states) {
        JsonNode follow = root.get("follow");
        String key = modeName(mode);
        if (follow != null && follow.isObject()) {
            JsonNode ref = follow.get(key);
            if (ref != null) {
                State s = stateRef(ref, "follow." + key, states);
                if (s.mode() != mode) {
                    throw error("follow." + key, "state '" + s.name() + "' has mode '" + modeName(s.mode())
                            + "', not '" + key + "'");
                }
                return s;
            }
        }
        // default: the initial state if it has the mode, else the first state declared with it
        if (initial.mode() == mode) {
            return initial;
        }
        return states.values().stream().filter(s -> s.mode() == mode).findFirst().orElseThrow();
    }

    private void checkReachable(Map<String, State> states, State initial, State followDisplay, State followReplay,
            List<Rule> rules) {
        Set<State> reachable = new HashSet<>(List.of(initial, followDisplay, followReplay));
        rules.forEach(r -> reachable.add(r.to()));
        for (State s : states.values()) {
            if (!reachable.contains(s)) {
                problems.add(new InvalidProfileException.Problem("states." + s.name(), "unreachable: not the"
                        + " initial or a follow state, and no rule leads to it"));
            }
        }
    }

    private State stateRef(JsonNode node, String path, Map<String, State> states) {
        if (node == null) {
            throw error(path, "missing");
        }
        if (!node.isTextual()) {
            throw error(path, "must be a state name, got " + node);
        }
        State s = states.get(node.asText());
        if (s == null && brokenStates.contains(node.asText())) {
            // already reported where the state is declared
            throw new FieldError(null, null);
        }
        if (s == null) {
            throw error(path, "unknown state '" + node.asText() + "' (known: " + String.join(", ", states.keySet())
                    + ")");
        }
        return s;
    }

    /** Records every field of {@code object} that is not in {@code known}. */
    private void checkFields(JsonNode object, String path, List<String> known) {
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            String n = property.getKey();
            if (!known.contains(n)) {
                problems.add(new InvalidProfileException.Problem(path.isEmpty() ? n : path + "." + n,
                        "unknown field (known: " + String.join(", ", known) + ")"));
            }
        }
    }

    private Boolean requireObject(JsonNode node, String path, String expected) {
        if (!node.isObject()) {
            throw error(path, "must be " + expected + ", got " + kind(node));
        }
        return true;
    }

    private String requireText(JsonNode object, String field) {
        return requireText(object, "", field);
    }

    private String requireText(JsonNode object, String path, String field) {
        String at = path.isEmpty() ? field : path + "." + field;
        JsonNode node = object.get(field);
        if (node == null) {
            throw error(at, "missing");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw error(at, "must be a non-blank string, got " + node);
        }
        return node.asText();
    }

    private String optionalText(JsonNode object, String field) {
        return optionalText(object, "", field);
    }

    private String optionalText(JsonNode object, String path, String field) {
        JsonNode node = object.get(field);
        if (node == null) {
            return "";
        }
        if (!node.isTextual()) {
            throw error(path.isEmpty() ? field : path + "." + field, "must be a string, got " + kind(node));
        }
        return node.asText();
    }

    private static String kind(JsonNode node) {
        return Optional.ofNullable(node).map(n -> n.getNodeType().name().toLowerCase(Locale.ROOT)).orElse("nothing");
    }

    static String modeName(SessionMode mode) {
        return mode == SessionMode.REPLAY ? "replay" : "display";
    }

    private static FieldError error(String path, String reason) {
        return new FieldError(path, reason);
    }
}
