package org.replaydesk.policy.snowbird.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/**
 * A validated snowbird migration profile: a finite-state machine whose states each map to a session mode and whose
 * rules move between states when sensor conditions have held long enough. Built only by {@link ProfileParser}, so
 * every reference (initial, follow, from, to) names a state of the profile.
 *
 * @param name the profile's name
 * @param description what it is for; empty if none
 * @param states every state, in declaration order
 * @param initial where a new session starts when its actual mode matches the state's mode
 * @param followDisplay the state a session is put in when it is found in display mode while its profile state maps
 *        to replay (the safety rules, a failure or the operator brought it back)
 * @param followReplay the state a session is put in when it is found in replay mode while its profile state maps
 *        to display (the operator, or the previous policy, put it there)
 * @param rules every rule, in declaration order (the order breaks priority ties)
 */
record Profile(String name, String description, List<State> states, State initial, State followDisplay,
        State followReplay, List<Rule> rules) {

    /** Priority of {@code "priority": "interactivity"}: above every traffic rule, as in Snowbird. */
    static final int INTERACTIVITY_PRIORITY = 100;
    /** Priority of {@code "priority": "traffic"} (and of a rule without a priority). */
    static final int TRAFFIC_PRIORITY = 0;

    Profile {
        states = List.copyOf(states);
        rules = List.copyOf(rules);
    }

    /**
     * @param state a state of this profile
     * @return the rules leaving it, in declaration order
     */
    List<Rule> rulesFrom(State state) {
        return rules.stream().filter(r -> r.from().contains(state)).toList();
    }

    /**
     * @param mode DISPLAY or REPLAY
     * @param newSession whether the session is seen for the first time (then the initial state is preferred)
     * @return the state a session found in that mode starts in, or is made to follow to
     */
    State stateFor(SessionMode mode, boolean newSession) {
        if (mode == SessionMode.DISPLAY) {
            return newSession && initial.mode() == SessionMode.DISPLAY ? initial : followDisplay;
        }
        return newSession && initial.mode() == SessionMode.REPLAY ? initial : followReplay;
    }

    /**
     * A state of the machine.
     *
     * @param name its name
     * @param mode the session mode it stands for: DISPLAY or REPLAY
     * @param description why it exists; empty if none
     */
    record State(String name, SessionMode mode, String description) {
        State {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A transition.
     *
     * @param index its position in the profile's rule list (the tie-breaker)
     * @param name its name, quoted in reasons
     * @param from the states it leaves
     * @param to the state it enters
     * @param priority its priority; higher wins (interactivity 100, traffic 0)
     * @param when the conditions, all of which must hold
     * @param hold how long they must have held without a break before the rule fires
     */
    record Rule(int index, String name, List<State> from, State to, int priority, List<Condition> when,
            Duration hold) {
        Rule {
            from = List.copyOf(from);
            when = List.copyOf(when);
        }

        /**
         * @param metrics one session's metrics
         * @return whether every condition holds
         */
        boolean holds(SessionMetrics metrics) {
            for (Condition c : when) {
                if (!c.holds(metrics)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * @return why going to display on this rule: {@code CLIENT_BEHIND} when a condition reads the client's lag or
         *     CPU, else {@code WORKLOAD}
         */
        ModeDecision.Cause cause() {
            return when.stream().anyMatch(c -> c.sensor().measuresTheClient()) ? ModeDecision.Cause.CLIENT_BEHIND
                    : ModeDecision.Cause.WORKLOAD;
        }

        /**
         * @param metrics the metrics the rule fired on
         * @return the conditions with their readings, e.g. {@code inputEvents 22 >= 15 and ...}
         */
        String explain(SessionMetrics metrics) {
            return when.stream().map(c -> c.explain(metrics)).collect(Collectors.joining(" and "));
        }
    }

    /**
     * One test of a sensor reading.
     *
     * @param sensor what is read
     * @param comparison how it is compared
     * @param value the threshold
     * @param valueText the threshold as the profile wrote it (shown in reasons)
     */
    record Condition(Sensor sensor, Comparison comparison, double value, String valueText) {
        boolean holds(SessionMetrics metrics) {
            return comparison.test(sensor.read(metrics), value);
        }

        String explain(SessionMetrics metrics) {
            return sensor.profileName() + " " + sensor.format(sensor.read(metrics)) + " " + comparison.symbol() + " "
                    + valueText;
        }
    }
}
