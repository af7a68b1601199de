package org.replaydesk.policy.snowbird.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.policy.snowbird.internal.Profile.Rule;
import org.replaydesk.policy.snowbird.internal.Profile.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Profile} for every session that uses the policy: each session has its own profile state and its
 * own record of since when each rule's conditions hold, keyed by {@link SessionMetrics#session()}.
 *
 * <p>One step per decision:
 * <ol>
 * <li><b>Follow the actual mode.</b> In DISPLAY with a profile state that maps to replay (the safety rules, a
 * failure or the operator brought the session back), the session is put in the profile's follow state for display;
 * in REPLAY with a state that maps to display, in the follow state for replay. Hold timers restart. SNAPSHOTTING and
 * DUAL are an attempt the profile asked for, so the profile state is kept.</li>
 * <li><b>Time the rules</b> leaving the current state: a rule's conditions hold since the first step they all held;
 * any step where one fails resets it. A gap of more than {@link #MAX_GAP} between two steps also resets it: "held
 * continuously" needs someone to have looked.</li>
 * <li><b>Fire at most one rule</b>, and only when the safety rules let the profile decide: among the rules whose
 * conditions held for their hold time, the highest priority wins (ties: the first in the profile). It fires only if
 * no rule of strictly higher priority currently holds, even one still waiting out its hold time: an interactive
 * phase that is building up blocks a traffic switch that would be undone moments later (Snowbird: "a priority
 * favoring interactive performance when conflicting migration rules are simultaneously triggered").</li>
 * <li><b>Decide</b>: SWITCH_TO_REPLAY / SWITCH_TO_DISPLAY when the new state's mode differs from the session's
 * (in SNAPSHOTTING or DUAL a display state abandons the attempt), else STAY.</li>
 * </ol>
 * Sessions not seen for {@link #FORGET_AFTER} are forgotten, checked at most every {@link #SWEEP_EVERY}, so ended
 * sessions do not leak. Thread-safe: each session's state is locked while it steps; sessions step independently.
 */
final class ProfileRunner {

    /** A session not seen this long is forgotten (it ended, or uses another policy now). */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    /** How often forgotten sessions are looked for. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    /** Longest gap between two steps of a session that still counts as "held continuously". */
    static final Duration MAX_GAP = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ProfileRunner.class);

    private final Profile profile;
    private final ConcurrentMap<String, SessionRun> sessions = new ConcurrentHashMap<>();
    private volatile Instant lastSweep;

    /** @param profile the profile every session runs */
    ProfileRunner(Profile profile) {
        this.profile = Objects.requireNonNull(profile, "profile");
    }

    /** @return the profile */
    Profile profile() {
        return profile;
    }

    /**
     * @param session a session id
     * @return its profile state's name; empty if the session is not (or no longer) tracked
     */
    Optional<String> stateOf(String session) {
        SessionRun run = sessions.get(session);
        if (run == null) {
            return Optional.empty();
        }
        synchronized (run) {
            return Optional.of(run.state.name());
        }
    }

    /** @return how many sessions are tracked */
    int trackedSessions() {
        return sessions.size();
    }

    /**
     * One step of one session.
     *
     * @param metrics the session's metrics now
     * @param mayFire whether the safety rules leave the decision to the profile; when false the rules are only
     *        timed and the caller uses its own decision
     * @return the profile's decision (STAY when {@code mayFire} is false)
     */
    ModeDecision step(SessionMetrics metrics, boolean mayFire) {
        Instant now = metrics.now();
        sweep(now);
        SessionRun run = sessions.computeIfAbsent(metrics.session(),
                id -> new SessionRun(initialState(metrics.mode()), profile.rules().size()));
        synchronized (run) {
            if (run.lastSeen != null && Duration.between(run.lastSeen, now).compareTo(MAX_GAP) > 0) {
                run.clearTimers();
            }
            if (run.lastSeen == null || now.isAfter(run.lastSeen)) {
                run.lastSeen = now;
            }
            follow(run, metrics);
            return timeAndFire(run, metrics, mayFire);
        }
    }

    private State initialState(SessionMode mode) {
        // a session first seen mid-attempt is one some earlier policy started: treat it as heading for replay
        return profile.stateFor(mode == SessionMode.DISPLAY ? SessionMode.DISPLAY : SessionMode.REPLAY, true);
    }

    private void follow(SessionRun run, SessionMetrics metrics) {
        SessionMode actual = metrics.mode();
        if (actual != SessionMode.DISPLAY && actual != SessionMode.REPLAY) {
            return;
        }
        if (run.state.mode() == actual) {
            return;
        }
        State to = profile.stateFor(actual, false);
        LOG.debug("session {}: snowbird profile '{}' follows the session's actual mode {}: state '{}' -> '{}'",
                metrics.session(), profile.name(), actual, run.state.name(), to.name());
        run.enter(to);
    }

    private ModeDecision timeAndFire(SessionRun run, SessionMetrics metrics, boolean mayFire) {
        Instant now = metrics.now();
        List<Rule> rules = profile.rulesFrom(run.state);
        int highestHolding = Integer.MIN_VALUE;
        Rule winner = null;
        for (Rule rule : rules) {
            if (!rule.holds(metrics)) {
                run.holdingSince[rule.index()] = null;
                continue;
            }
            if (run.holdingSince[rule.index()] == null) {
                run.holdingSince[rule.index()] = now;
            }
            highestHolding = Math.max(highestHolding, rule.priority());
            boolean ready = Duration.between(run.holdingSince[rule.index()], now).compareTo(rule.hold()) >= 0;
            // strictly greater: on a tie the rule declared first keeps it
            if (ready && (winner == null || rule.priority() > winner.priority())) {
                winner = rule;
            }
        }
        if (!mayFire) {
            return ModeDecision.stay();
        }
        if (winner == null || winner.priority() < highestHolding) {
            return insistOnDisplay(run, metrics);
        }
        Duration held = Duration.between(run.holdingSince[winner.index()], now);
        State from = run.state;
        run.enter(winner.to());
        String reason = "snowbird rule '" + winner.name() + "' (" + from.name() + " -> " + winner.to().name()
                + "): " + winner.explain(metrics) + " held " + seconds(held) + " s";
        LOG.info("session {}: {}", metrics.session(), reason);
        return decision(winner.to(), metrics.mode(), reason, winner.cause());
    }

    /** In SNAPSHOTTING or DUAL with a display state: the abandon request was not taken yet, so ask again. */
    private ModeDecision insistOnDisplay(SessionRun run, SessionMetrics metrics) {
        if (metrics.mode().isSwitchingToReplay() && run.state.mode() == SessionMode.DISPLAY) {
            return ModeDecision.toDisplay("snowbird state '" + run.state.name() + "' shows the server's display;"
                    + " abandoning the attempt");
        }
        return ModeDecision.stay();
    }

    private static ModeDecision decision(State target, SessionMode actual, String reason, ModeDecision.Cause cause) {
        if (target.mode() == SessionMode.REPLAY) {
            return actual == SessionMode.DISPLAY ? ModeDecision.toReplay(reason) : ModeDecision.stay();
        }
        if (actual == SessionMode.REPLAY) {
            return ModeDecision.toDisplay(reason, cause);
        }
        if (actual.isSwitchingToReplay()) {
            return ModeDecision.toDisplay(reason + "; abandoning the attempt", cause);
        }
        return ModeDecision.stay();
    }

    private void sweep(Instant now) {
        Instant last = lastSweep;
        if (last != null && Duration.between(last, now).compareTo(SWEEP_EVERY) < 0) {
            return;
        }
        lastSweep = now;
        Instant cutoff = now.minus(FORGET_AFTER);
        sessions.values().removeIf(run -> {
            synchronized (run) {
                return run.lastSeen != null && run.lastSeen.isBefore(cutoff);
            }
        });
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    /** One session's place in the profile. Guarded by its own monitor. */
    private static final class SessionRun {
        State state;
        /** Per rule index: since when its conditions hold; null while they do not. */
        final Instant[] holdingSince;
        Instant lastSeen;

        SessionRun(State state, int rules) {
            this.state = state;
            this.holdingSince = new Instant[rules];
        }

        void enter(State to) {
            state = to;
            clearTimers();
        }

        void clearTimers() {
            java.util.Arrays.fill(holdingSince, null);
        }
    }
}
