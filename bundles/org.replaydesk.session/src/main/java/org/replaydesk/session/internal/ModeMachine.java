package org.replaydesk.session.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeRequest;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;

/**
 * One session's mode machine (design.md "Modes"): DISPLAY -> SNAPSHOTTING -> DUAL -> REPLAY and back to DISPLAY.
 * {@link #tick} is called about once a second from the session's thread with fresh metrics; it asks the policy (or
 * follows the operator's request), carries out a switch through the {@link Switcher} and logs every transition.
 *
 * <p>Rules the machine enforces whatever the policy says: a failed snapshot, replayer or switch keeps (or brings
 * back) display and counts as a failed attempt; a full log buffer in REPLAY goes back to display at once; a replayer
 * that fails, or falls back from REPLAY (lag, buffer) within {@link #HEALTHY_REPLAY} of reaching it, also counts as a
 * failed attempt, so a policy's back-off keeps the session from flapping. Operator requests use the paper's safety rules ({@link AbstractModeSwitchPolicy}
 * defaults) instead of the policy.
 *
 * <p>Not thread-safe except {@link #request(ModeRequest)} and the read accessors: one thread ticks.
 */
final class ModeMachine {

    /** Who decided a transition that neither a policy nor the operator asked for. */
    static final String BY_SESSION = "session";
    /** Who decided a transition the operator asked for. */
    static final String BY_OPERATOR = "operator";

    /** The paper's safety rules without a traffic opinion: used while the operator pins a mode. */
    private static final ModeSwitchPolicy SAFETY_RULES = new AbstractModeSwitchPolicy() {
        @Override
        public String describe() {
            return "safety rules only";
        }
    };

    private final Clock clock;
    private final LongSupplier nanos;
    private final Switcher switcher;
    private final Consumer<ModeSwitch> onSwitch;
    private final List<ModeSwitch> history = new ArrayList<>();

    private volatile SessionMode mode = SessionMode.DISPLAY;
    /**
     * A replay that lasted this long proved the client keeps up with the workload it started with; a lag or a full
     * buffer after that is a change of workload, not a failed switch, and does not start the back-off.
     */
    static final Duration HEALTHY_REPLAY = Duration.ofSeconds(30);

    private volatile Instant since;
    private volatile ModeRequest request = ModeRequest.AUTO;
    private volatile Optional<String> lastDecision = Optional.empty();
    private Instant dualSince;
    private Instant attemptDecidedAt;
    private long attemptDecidedNanos;
    private Duration attemptStall = Duration.ZERO;
    private Instant lastFailedSwitch;

    /**
     * @param clock wall clock for timestamps and policy windows (tests pass a controllable one)
     * @param nanos monotonic nanoseconds for switching latencies
     * @param switcher carries out switches
     * @param onSwitch told of every transition after it happened (history, events)
     */
    ModeMachine(Clock clock, LongSupplier nanos, Switcher switcher, Consumer<ModeSwitch> onSwitch) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.switcher = Objects.requireNonNull(switcher, "switcher");
        this.onSwitch = Objects.requireNonNull(onSwitch, "onSwitch");
        this.since = clock.instant();
    }

    /** @return the mode now */
    SessionMode mode() {
        return mode;
    }

    /** @return when the machine entered {@link #mode()} */
    Instant since() {
        return since;
    }

    /** @return the operator's request */
    ModeRequest request() {
        return request;
    }

    /** @param value the operator's request; applied at the next tick */
    void request(ModeRequest value) {
        request = Objects.requireNonNull(value, "request");
    }

    /** @return the reason of the last decision that asked for a change */
    Optional<String> lastDecision() {
        return lastDecision;
    }

    /** @return the switch log, oldest first */
    synchronized List<ModeSwitch> history() {
        return List.copyOf(history);
    }

    /** @return when the last attempt to reach replay failed */
    Optional<Instant> lastFailedSwitch() {
        return Optional.ofNullable(lastFailedSwitch);
    }

    /**
     * Completes the metrics with what the machine knows (mode, times, last failure).
     *
     * @param measured the collector's metrics
     * @return the metrics a policy sees
     */
    SessionMetrics complete(SessionMetrics.Builder measured) {
        Instant now = clock.instant();
        return measured.now(now)
                .mode(mode)
                .timeInMode(Duration.between(since, now))
                .timeInDual(mode == SessionMode.DUAL && dualSince != null ? Duration.between(dualSince, now)
                        : Duration.ZERO)
                .lastFailedSwitch(lastFailedSwitch)
                .build();
    }

    /**
     * One step: decide and, if needed, switch. Blocks while a switch runs (a snapshot, a replayer starting).
     *
     * @param metrics the session's metrics, completed by {@link #complete}
     * @param policy the active policy
     * @param policyName its name (logged as the decider)
     */
    void tick(SessionMetrics metrics, ModeSwitchPolicy policy, String policyName) {
        switch (mode) {
            case DISPLAY -> tickDisplay(metrics, policy, policyName);
            case DUAL -> tickDual(metrics, policy, policyName);
            case REPLAY -> tickReplay(metrics, policy, policyName);
            case SNAPSHOTTING -> {
                // Only seen if a tick races an attempt; the attempt itself leaves SNAPSHOTTING.
            }
        }
    }

    private void tickDisplay(SessionMetrics metrics, ModeSwitchPolicy policy, String policyName) {
        ModeRequest r = request;
        if (r == ModeRequest.DISPLAY) {
            return;
        }
        if (r == ModeRequest.REPLAY) {
            attemptReplay("the operator asked for replay", BY_OPERATOR);
            return;
        }
        ModeDecision d = ask(policy, metrics);
        if (d.action() == ModeDecision.Action.SWITCH_TO_REPLAY) {
            attemptReplay(d.reason(), policyName);
        }
    }

    private void tickDual(SessionMetrics metrics, ModeSwitchPolicy policy, String policyName) {
        Switcher.ReplayProgress progress = switcher.replayProgress();
        if (progress.failure().isPresent()) {
            abandon("the replayer failed: " + progress.failure().get(), BY_SESSION, true);
            return;
        }
        if (request == ModeRequest.DISPLAY) {
            abandon("the operator asked for display", BY_OPERATOR, false);
            return;
        }
        if (progress.caughtUp()) {
            showReplay();
            return;
        }
        boolean operator = request == ModeRequest.REPLAY;
        ModeDecision d = ask(operator ? SAFETY_RULES : policy, metrics);
        if (d.action() == ModeDecision.Action.SWITCH_TO_DISPLAY) {
            abandon(d.reason(), operator ? BY_SESSION : policyName, true);
            if (operator) {
                request = ModeRequest.AUTO;
            }
        }
    }

    private void tickReplay(SessionMetrics metrics, ModeSwitchPolicy policy, String policyName) {
        Switcher.ReplayProgress progress = switcher.replayProgress();
        if (progress.failure().isPresent()) {
            backToDisplay("the replayer failed: " + progress.failure().get(), BY_SESSION, true);
            return;
        }
        if (metrics.logBufferFull()) {
            backToDisplay("the record log buffer is full", BY_SESSION, replayWasShort());
            return;
        }
        if (request == ModeRequest.DISPLAY) {
            backToDisplay("the operator asked for display", BY_OPERATOR, false);
            return;
        }
        boolean operator = request == ModeRequest.REPLAY;
        ModeDecision d = ask(operator ? SAFETY_RULES : policy, metrics);
        if (d.action() == ModeDecision.Action.SWITCH_TO_DISPLAY) {
            // A client that cannot keep up right after the switch is a failed attempt whoever noticed; a traffic
            // decision is not, and neither is a lag after a long healthy replay (the workload changed: the paper
            // only bars new attempts after a failed switch).
            // The policy says whether the client fell behind (by its own limits); one written before causes existed
            // is judged by the measured lag against the paper's 500 ms.
            boolean lagging = switch (d.cause()) {
                case CLIENT_BEHIND -> true;
                case WORKLOAD -> false;
                case UNSPECIFIED -> metrics.replayLag()
                        .map(l -> l.compareTo(AbstractModeSwitchPolicy.DEFAULT_MAX_LAG) > 0).orElse(false);
            };
            boolean failed = lagging && replayWasShort() || operator;
            backToDisplay(d.reason(), operator ? BY_SESSION : policyName, failed);
            if (operator) {
                request = ModeRequest.AUTO;
            }
        }
    }

    /**
     * @return whether the current replay has lasted less than {@link #HEALTHY_REPLAY}: falling back from it means
     *         this client could not keep up with this workload, which a new attempt would only repeat
     */
    private boolean replayWasShort() {
        return Duration.between(since, clock.instant()).compareTo(HEALTHY_REPLAY) < 0;
    }

    private ModeDecision ask(ModeSwitchPolicy policy, SessionMetrics metrics) {
        ModeDecision d;
        try {
            d = policy.decide(metrics);
        } catch (RuntimeException e) {
            // A broken third-party policy must not stop the session; staying is always safe in display and dual,
            // and replay keeps the machine's own buffer/failure rules.
            d = ModeDecision.stay();
            lastDecision = Optional.of("policy failed: " + e);
        }
        if (d == null) {
            d = ModeDecision.stay();
        }
        if (!d.isStay()) {
            lastDecision = Optional.of(d.reason());
        }
        return d;
    }

    private void attemptReplay(String reason, String decidedBy) {
        attemptDecidedAt = clock.instant();
        attemptDecidedNanos = nanos.getAsLong();
        attemptStall = Duration.ZERO;
        enter(SessionMode.SNAPSHOTTING, decidedBy, reason, Duration.ZERO, Optional.empty());
        long t0 = nanos.getAsLong();
        try {
            attemptStall = switcher.takeSnapshot();
        } catch (Exception e) {
            fail("the snapshot failed: " + message(e));
            return;
        }
        if (request == ModeRequest.DISPLAY) {
            fail("the operator asked for display");
            return;
        }
        try {
            switcher.startReplay();
        } catch (Exception e) {
            switcher.stopReplay();
            fail("the replayer did not start: " + message(e));
            return;
        }
        dualSince = clock.instant();
        enter(SessionMode.DUAL, BY_SESSION, "snapshot taken, replayer started", elapsed(t0),
                Optional.of(attemptStall));
    }

    private void showReplay() {
        long t0 = nanos.getAsLong();
        try {
            switcher.showReplay();
        } catch (Exception e) {
            abandon("the replayer's screen could not be shown: " + message(e), BY_SESSION, true);
            return;
        }
        Duration dual = Duration.between(dualSince, clock.instant());
        Duration total = Duration.ofNanos(nanos.getAsLong() - attemptDecidedNanos);
        enter(SessionMode.REPLAY, BY_SESSION, String.format(java.util.Locale.ROOT,
                "caught up after %.1f s in dual mode (viewers switched in %d ms; %.1f s since the decision)",
                dual.toMillis() / 1000.0, elapsed(t0).toMillis(), total.toMillis() / 1000.0), total,
                Optional.of(attemptStall));
    }

    /** Gives up an attempt in SNAPSHOTTING or DUAL: viewers never left the display, the replayer stops. */
    private void abandon(String reason, String decidedBy, boolean failed) {
        long t0 = nanos.getAsLong();
        switcher.stopReplay();
        if (failed) {
            lastFailedSwitch = clock.instant();
        }
        dualSince = null;
        enter(SessionMode.DISPLAY, decidedBy, reason, elapsed(t0), Optional.empty());
    }

    private void fail(String reason) {
        lastFailedSwitch = clock.instant();
        enter(SessionMode.DISPLAY, BY_SESSION, reason, Duration.ZERO, Optional.empty());
    }

    /** Leaves REPLAY: the server's display first (the fast part users notice), then the replayer stops. */
    private void backToDisplay(String reason, String decidedBy, boolean failed) {
        long t0 = nanos.getAsLong();
        try {
            switcher.showDisplay();
        } catch (Exception e) {
            // Nothing better to show: the replayer keeps the screen and the next tick tries again.
            lastDecision = Optional.of("could not show the server's display: " + message(e));
            return;
        }
        Duration latency = elapsed(t0);
        if (failed) {
            lastFailedSwitch = clock.instant();
        }
        dualSince = null;
        enter(SessionMode.DISPLAY, decidedBy, reason, latency, Optional.empty());
        switcher.stopReplay();
    }

    private void enter(SessionMode to, String decidedBy, String reason, Duration latency, Optional<Duration> stall) {
        SessionMode from = mode;
        // The entry into REPLAY is the end of the whole attempt: its decision is the one that started it.
        Instant decidedAt = to == SessionMode.REPLAY && attemptDecidedAt != null ? attemptDecidedAt
                : clock.instant().minus(latency);
        ModeSwitch entry = new ModeSwitch(decidedAt, from, to, decidedBy, reason, latency, stall);
        synchronized (this) {
            mode = to;
            since = clock.instant();
            history.add(entry);
        }
        onSwitch.accept(entry);
    }

    private Duration elapsed(long t0) {
        return Duration.ofNanos(nanos.getAsLong() - t0);
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
