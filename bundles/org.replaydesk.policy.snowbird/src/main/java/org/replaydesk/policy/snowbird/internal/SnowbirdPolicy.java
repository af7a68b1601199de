package org.replaydesk.policy.snowbird.internal;

import java.nio.file.Path;
import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code snowbird} policy: Snowbird's interaction-aware migration manager (section 2.2) for ReplayDesk's modes.
 * A migration profile, a finite-state machine loaded from JSON, says which state a session is in and which sensor
 * readings move it on; each state stands for display or replay. See docs/policy-spi.md, "snowbird".
 *
 * <p>It extends {@link AbstractModeSwitchPolicy}, so the record/replay paper's safety rules (dual-mode cap,
 * back-off after a failed attempt, lag bound, full log buffer) apply first; while they decide, the profile's rules
 * are still timed but do not fire.
 *
 * <p>Configuration (PID {@value #PID}): {@code profile.json} (inline) wins over {@code profile} (a file), and with
 * neither the built-in {@code default-profile.json} is used. An invalid profile throws from the constructor, so DS
 * does not register the policy (it disappears from {@code desk:policy-list} and sessions fall back to
 * {@code paper}); the full message is logged at ERROR.
 *
 * <p>There is deliberately no {@code @Modified} method: DS keeps a component whose modified method throws (Felix SCR
 * logs the exception and carries on), so an invalid profile would stay hidden behind the old one. Without it, a
 * configuration change deactivates this instance and activates a new one, which either runs the new profile or
 * fails visibly. Sessions rebind to the new instance at their next decision and restart in the profile state that
 * matches their actual mode.
 */
@Component(service = ModeSwitchPolicy.class, configurationPid = SnowbirdPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = ModeSwitchPolicy.NAME_PROPERTY + "=" + SnowbirdPolicy.NAME)
@Designate(ocd = SnowbirdConfiguration.class)
public final class SnowbirdPolicy extends AbstractModeSwitchPolicy {

    /** The name operators pass to {@code desk:policy-set}. */
    public static final String NAME = "snowbird";
    /** Configuration PID ({@code etc/org.replaydesk.policy.snowbird.cfg}). */
    public static final String PID = "org.replaydesk.policy.snowbird";
    /** Longest window: the session service keeps 5 minutes of per-second samples. */
    static final int MAX_WINDOW_SECONDS = 300;
    /** How the inline profile is named in messages. */
    static final String INLINE_SOURCE = "profile.json (inline)";

    private static final Logger LOG = LoggerFactory.getLogger(SnowbirdPolicy.class);

    /**
     * Returned by the hooks when the safety rules leave the decision to the profile; compared by identity and never
     * handed to the session service.
     */
    private static final ModeDecision ASK_PROFILE = new ModeDecision(ModeDecision.Action.STAY, "ask the profile");

    /** What the configuration produced. */
    private record Loaded(ProfileRunner runner, Duration window, String source) {
    }

    private final Loaded loaded;

    /**
     * @param config the component's configuration
     * @throws IllegalArgumentException if the profile or a setting is invalid (DS then does not register the policy)
     */
    @Activate
    public SnowbirdPolicy(SnowbirdConfiguration config) {
        this(config.profile(), config.profile_json(), config.window_seconds());
    }

    /**
     * @param profileFile a profile file; empty for none
     * @param profileJson an inline profile; empty for none (wins over the file)
     * @param windowSeconds the traffic window, 1 to {@value #MAX_WINDOW_SECONDS}
     * @throws IllegalArgumentException naming the setting or the profile field at fault
     */
    SnowbirdPolicy(String profileFile, String profileJson, int windowSeconds) {
        this.loaded = load(profileFile, profileJson, windowSeconds);
    }

    private static Loaded load(String profileFile, String profileJson, int windowSeconds) {
        try {
            if (windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
                throw new IllegalArgumentException(PID + ": window.seconds must be 1 to " + MAX_WINDOW_SECONDS
                        + ", got " + windowSeconds);
            }
            Profile profile;
            String source;
            if (profileJson != null && !profileJson.isBlank()) {
                source = INLINE_SOURCE;
                profile = ProfileParser.parse(profileJson, source);
            } else if (profileFile != null && !profileFile.isBlank()) {
                source = profileFile.strip();
                profile = ProfileParser.parseFile(Path.of(source));
            } else {
                source = ProfileParser.DEFAULT_PROFILE_SOURCE;
                profile = ProfileParser.builtIn();
            }
            LOG.info("snowbird profile '{}' loaded from {}: {} states, {} rules", profile.name(), source,
                    profile.states().size(), profile.rules().size());
            return new Loaded(new ProfileRunner(profile), Duration.ofSeconds(windowSeconds), source);
        } catch (IllegalArgumentException e) {
            // DS logs a failing activation too, but wrapped in a stack trace; this line is the one to find
            LOG.error("{}; the snowbird policy is out of service until its configuration is fixed", e.getMessage());
            throw e;
        }
    }

    @Override
    public ModeDecision decide(SessionMetrics metrics) {
        Loaded current = loaded;
        ModeDecision safety = super.decide(metrics);
        if (safety != ASK_PROFILE) {
            // keep the profile's timers and state in step with the session even while the safety rules decide
            current.runner().step(metrics, false);
            return safety;
        }
        return current.runner().step(metrics, true);
    }

    @Override
    protected ModeDecision inDisplay(SessionMetrics metrics) {
        return ASK_PROFILE;
    }

    @Override
    protected ModeDecision inSnapshotting(SessionMetrics metrics) {
        return ASK_PROFILE;
    }

    @Override
    protected ModeDecision inDual(SessionMetrics metrics) {
        return ASK_PROFILE;
    }

    @Override
    protected ModeDecision inReplay(SessionMetrics metrics) {
        return ASK_PROFILE;
    }

    @Override
    public Duration window() {
        return loaded.window();
    }

    @Override
    public String describe() {
        Loaded current = loaded;
        Profile p = current.runner().profile();
        return NAME + ": profile '" + p.name() + "' from " + current.source() + " (" + p.states().size()
                + " states, " + p.rules().size() + " rules), traffic window " + current.window().toSeconds() + " s";
    }

    /** @return the runner of the current profile, for tests */
    ProfileRunner runner() {
        return loaded.runner();
    }
}
