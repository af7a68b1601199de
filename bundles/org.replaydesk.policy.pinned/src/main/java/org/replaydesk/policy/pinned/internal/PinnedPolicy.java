package org.replaydesk.policy.pinned.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMetrics;

/**
 * Policy {@value #NAME}: holds every session using it in one configured mode, whatever the traffic.
 *
 * <ul>
 * <li>{@code mode = display} (the default): sessions in REPLAY go back to display, attempts in SNAPSHOTTING or DUAL
 * are abandoned, and no new attempt starts.</li>
 * <li>{@code mode = replay}: a session in DISPLAY starts an attempt at once, and the attempt runs its course. The
 * safety rules of {@link AbstractModeSwitchPolicy} (paper defaults) still win: no new attempt for 20 minutes after a
 * failed one, dual mode abandoned after 200 s, back to display when the replayer lags more than 500 ms or the log
 * buffer is full. Pinning to replay is a wish, not a guarantee: a client that cannot keep up still gets the display.
 * </li>
 * </ul>
 *
 * <p>This pins every session of the host; to pin one session, use {@code desk:session-mode SESSION display|replay}
 * instead. {@link #modified} switches the pinned mode live: the next decision of every session follows it, without
 * the service being re-registered.
 *
 * <p>An unknown {@code mode} makes activation (or a live change) throw an {@link IllegalArgumentException} naming
 * the value and the allowed ones; SCR logs it and, on activation, does not register the service (on a live change,
 * the previous mode stays).
 */
@Component(service = ModeSwitchPolicy.class, configurationPid = PinnedPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = ModeSwitchPolicy.NAME_PROPERTY + "=" + PinnedPolicy.NAME)
@Designate(ocd = PinnedPolicy.Config.class)
public final class PinnedPolicy extends AbstractModeSwitchPolicy {

    /** The name operators pass to {@code desk:policy-set}. */
    public static final String NAME = "pinned";
    /** Configuration PID ({@code etc/org.replaydesk.policy.pinned.cfg}). */
    public static final String PID = "org.replaydesk.policy.pinned";

    /** The mode sessions are held in. */
    enum PinnedMode {
        /** The server's display; no attempt to reach replay. */
        DISPLAY,
        /** Replay, within the safety rules. */
        REPLAY;

        /** @return the configuration value, as operators write it */
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param value a configuration value; case and surrounding blanks do not matter
         * @return the mode
         * @throws IllegalArgumentException naming the value and the allowed ones
         */
        static PinnedMode parse(String value) {
            for (PinnedMode m : values()) {
                if (value != null && m.value().equals(value.strip().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException(PID + ": mode must be one of "
                    + Arrays.stream(values()).map(PinnedMode::value).collect(Collectors.joining(", "))
                    + ", got '" + value + "'");
        }
    }

    /** The settings; a change switches the pinned mode in place ({@link #modified}). */
    @ObjectClassDefinition(name = "ReplayDesk pinned policy",
            description = "Holds every session using this policy in one mode")
    public @interface Config {
        @AttributeDefinition(name = "Mode",
                description = "display: keep (or bring back) the server's display; replay: switch to replay and"
                        + " stay there, within the safety rules (back-off, dual-mode cap, lag bound).",
                options = {@Option(label = "display", value = "display"), @Option(label = "replay", value = "replay")})
        String mode() default "display";
    }

    private volatile PinnedMode mode;

    /**
     * @param config the component's configuration (display without one)
     * @throws IllegalArgumentException if {@code mode} is neither display nor replay (SCR logs it and does not
     *         register the policy)
     */
    @Activate
    public PinnedPolicy(Config config) {
        mode = PinnedMode.parse(config.mode());
    }

    /**
     * Switches the pinned mode; every session follows at its next decision.
     *
     * @param config the new configuration
     * @throws IllegalArgumentException if {@code mode} is neither display nor replay; the previous mode stays
     */
    @Modified
    void modified(Config config) {
        mode = PinnedMode.parse(config.mode());
    }

    /** @return the mode sessions are held in */
    PinnedMode mode() {
        return mode;
    }

    @Override
    public String describe() {
        return mode == PinnedMode.REPLAY
                ? NAME + ": holds sessions in replay (back-off " + backoff().toMinutes() + " min after a failed"
                        + " attempt, dual <= " + maxDual().toSeconds() + " s, lag <= " + maxLag().toMillis() + " ms)"
                : NAME + ": holds sessions in display";
    }

    @Override
    protected ModeDecision inDisplay(SessionMetrics metrics) {
        return mode == PinnedMode.REPLAY ? ModeDecision.toReplay(reason(PinnedMode.REPLAY)) : ModeDecision.stay();
    }

    @Override
    protected ModeDecision inSnapshotting(SessionMetrics metrics) {
        return abandonIfPinnedToDisplay();
    }

    @Override
    protected ModeDecision inDual(SessionMetrics metrics) {
        return abandonIfPinnedToDisplay();
    }

    @Override
    protected ModeDecision inReplay(SessionMetrics metrics) {
        return mode == PinnedMode.DISPLAY ? ModeDecision.toDisplay(reason(PinnedMode.DISPLAY) + "; leaving replay")
                : ModeDecision.stay();
    }

    private ModeDecision abandonIfPinnedToDisplay() {
        return mode == PinnedMode.DISPLAY
                ? ModeDecision.toDisplay(reason(PinnedMode.DISPLAY) + "; abandoning the attempt")
                : ModeDecision.stay();
    }

    private static String reason(PinnedMode pinned) {
        return "pinned to " + pinned.value() + " by configuration (" + PID + " mode = " + pinned.value() + ")";
    }
}
