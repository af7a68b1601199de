package org.replaydesk.policy.paper.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMetrics;

/**
 * The default policy, {@value #NAME}: the record/replay paper's switching rule (section 3.3, design.md "Modes").
 *
 * <ul>
 * <li>DISPLAY to replay: when the display traffic, averaged over the window, is at least {@code replay.advantage}
 * (1.5) times the replay traffic estimate (the record log's growth plus the expected chunk traffic of a join, which
 * the session service spreads over its horizon), and at least {@code min.display.bytes.per.second}.</li>
 * <li>REPLAY to display: when the measured replay traffic is at least {@code display.advantage} (1.1) times the
 * display traffic estimated from framebuffer damage, and at least {@code min.display.bytes.per.second}.</li>
 * <li>Neither is decided before the session has been in its mode for a whole window, so the rates never mix samples
 * of two modes and one burst right after a switch does not send the session straight back.</li>
 * <li>SNAPSHOTTING and DUAL are left alone: the attempt is judged end to end by whether the replayer catches up
 * within {@code max.dual.seconds} (the paper's dual mode), not by traffic, which in dual mode includes the join's
 * chunk fetches.</li>
 * <li>The safety rules of {@link AbstractModeSwitchPolicy} with configurable limits: back-off after a failed attempt
 * ({@code backoff.minutes}), dual-mode cap ({@code max.dual.seconds}), lag bound ({@code max.lag.ms}), full log
 * buffer.</li>
 * </ul>
 *
 * <p>The floor {@code min.display.bytes.per.second} is not in the paper: with a nearly idle screen the tiny record
 * log of an idle VM would otherwise win the ratio and start a snapshot and join to save almost nothing; and in
 * replay an idle desktop (no damage, a trickle of log) would go back to display and need a whole new attempt when
 * the activity resumes.
 *
 * <p>Settings are held in one immutable {@link Settings} read once per hook, so a live retune ({@link #modified})
 * never shows a decision half of old and half of new thresholds. The policy keeps no per-session state: one instance
 * serves every session without locking.
 *
 * <p>Invalid configuration: {@link #PaperPolicy(Config) activation} throws an {@link IllegalArgumentException}
 * naming the property and the value; SCR logs it and does not register the service (sessions then fall back as
 * described in {@code PolicyRegistry}: another configured policy or the safety rules alone). An invalid change to a
 * running policy ({@link #modified}) throws the same way; SCR logs it and the policy keeps its previous settings.
 */
@Component(service = ModeSwitchPolicy.class, configurationPid = PaperPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = ModeSwitchPolicy.NAME_PROPERTY + "=" + PaperPolicy.NAME)
@Designate(ocd = PaperPolicy.Config.class)
public final class PaperPolicy extends AbstractModeSwitchPolicy {

    /** The name operators pass to {@code desk:policy-set}; also {@link ModeSwitchPolicy#DEFAULT_POLICY}. */
    public static final String NAME = "paper";
    /** Configuration PID ({@code etc/org.replaydesk.policy.paper.cfg}). */
    public static final String PID = "org.replaydesk.policy.paper";

    /** Longest window: the session service keeps 5 minutes of per-second samples ({@link ModeSwitchPolicy#window()}). */
    static final int MAX_WINDOW_SECONDS = 300;

    /** The settings; a change retunes the running policy in place ({@link #modified}), the service stays registered. */
    @ObjectClassDefinition(name = "ReplayDesk paper policy",
            description = "The record/replay paper's traffic rule for switching sessions between display and replay")
    public @interface Config {
        @AttributeDefinition(name = "Replay advantage",
                description = "In display mode, switch to replay when the display traffic is at least this many"
                        + " times the replay traffic estimate (log growth plus expected chunks), averaged over the"
                        + " window. At least 1; the paper uses 1.5.")
        double replay_advantage() default 1.5;

        @AttributeDefinition(name = "Display advantage",
                description = "In replay mode, switch back to display when the replay traffic is at least this"
                        + " many times the display traffic estimate (from framebuffer damage). At least 1; the"
                        + " paper uses 1.1.")
        double display_advantage() default 1.1;

        @AttributeDefinition(name = "Window (s)",
                description = "Seconds the traffic is averaged over; a session must have been in its mode this"
                        + " long before the traffic rule applies. 1 to 300; the paper uses 20.")
        int window_seconds() default 20;

        @AttributeDefinition(name = "Longest dual mode (s)",
                description = "An attempt whose replayer has not caught up after this long goes back to display"
                        + " and counts as failed. At least 1; the paper uses 200.")
        int max_dual_seconds() default 200;

        @AttributeDefinition(name = "Back-off (min)",
                description = "No new attempt to reach replay this long after a failed one. At least 0; the paper"
                        + " uses 20.")
        int backoff_minutes() default 20;

        @AttributeDefinition(name = "Largest replay lag (ms)",
                description = "In replay mode, go back to display at once when the replayer lags further behind"
                        + " the server. At least 1; the paper uses 500.")
        int max_lag_ms() default 500;

        @AttributeDefinition(name = "Least traffic worth a switch (bytes/s)",
                description = "No switch to replay while the display traffic is below this, and no switch back"
                        + " while the replay traffic is below it: saving less is not worth a snapshot and a join"
                        + " (not in the paper). At least 0.")
        double min_display_bytes_per_second() default 8192;
    }

    /**
     * The validated settings, swapped as a whole.
     *
     * @param replayAdvantage display/replay ratio that starts an attempt
     * @param displayAdvantage replay/display ratio that goes back to display
     * @param window the averaging window
     * @param maxDual the dual-mode cap
     * @param backoff the back-off after a failed attempt
     * @param maxLag the lag bound in replay
     * @param minBytesPerSecond the traffic floor below which nothing switches
     */
    record Settings(double replayAdvantage, double displayAdvantage, Duration window, Duration maxDual,
            Duration backoff, Duration maxLag, double minBytesPerSecond) {

        /**
         * @param config a configuration
         * @return its settings
         * @throws IllegalArgumentException naming the first property that is out of range, and its value
         */
        static Settings from(Config config) {
            double replayAdvantage = atLeastOne("replay.advantage", config.replay_advantage());
            double displayAdvantage = atLeastOne("display.advantage", config.display_advantage());
            int window = config.window_seconds();
            if (window < 1 || window > MAX_WINDOW_SECONDS) {
                throw invalid("window.seconds", window, "must be 1 to " + MAX_WINDOW_SECONDS);
            }
            int maxDual = config.max_dual_seconds();
            if (maxDual < 1) {
                // 0 would abandon every attempt before its replayer could catch up
                throw invalid("max.dual.seconds", maxDual, "must be at least 1");
            }
            int backoff = config.backoff_minutes();
            if (backoff < 0) {
                throw invalid("backoff.minutes", backoff, "must be at least 0");
            }
            int maxLag = config.max_lag_ms();
            if (maxLag < 1) {
                throw invalid("max.lag.ms", maxLag, "must be at least 1");
            }
            double floor = config.min_display_bytes_per_second();
            // written this way round so NaN fails too
            if (!(floor >= 0 && floor < Double.POSITIVE_INFINITY)) {
                throw invalid("min.display.bytes.per.second", floor, "must be a finite number of at least 0");
            }
            return new Settings(replayAdvantage, displayAdvantage, Duration.ofSeconds(window),
                    Duration.ofSeconds(maxDual), Duration.ofMinutes(backoff), Duration.ofMillis(maxLag), floor);
        }

        private static double atLeastOne(String key, double value) {
            if (!(value >= 1 && value < Double.POSITIVE_INFINITY)) {
                throw invalid(key, value, "must be a finite number of at least 1 (a ratio of traffic)");
            }
            return value;
        }

        private static IllegalArgumentException invalid(String key, Object value, String rule) {
            return new IllegalArgumentException(PID + ": " + key + " " + rule + ", got " + value);
        }
    }

    private volatile Settings settings;

    /**
     * @param config the component's configuration (the defaults without one)
     * @throws IllegalArgumentException naming the property and value that is out of range (SCR logs it and does
     *         not register the policy)
     */
    @Activate
    public PaperPolicy(Config config) {
        settings = Settings.from(config);
    }

    /**
     * Retunes the running policy: the next decision of every session uses the new settings, and the service stays
     * registered, so sessions are not rebound.
     *
     * @param config the new configuration
     * @throws IllegalArgumentException naming the property and value that is out of range; the previous settings
     *         stay in force (SCR logs the exception)
     */
    @Modified
    void modified(Config config) {
        settings = Settings.from(config);
    }

    /** @return the settings in force, for tests */
    Settings settings() {
        return settings;
    }

    @Override
    public Duration window() {
        return settings.window();
    }

    @Override
    protected Duration maxDual() {
        return settings.maxDual();
    }

    @Override
    protected Duration backoff() {
        return settings.backoff();
    }

    @Override
    protected Duration maxLag() {
        return settings.maxLag();
    }

    @Override
    public String describe() {
        Settings s = settings;
        return NAME + ": replay when display >= " + number(s.replayAdvantage()) + "x the replay estimate, display"
                + " when replay >= " + number(s.displayAdvantage()) + "x the display estimate, over full "
                + s.window().toSeconds() + " s windows, nothing under " + kib(s.minBytesPerSecond()) + "; dual <= "
                + s.maxDual().toSeconds() + " s, back-off " + s.backoff().toMinutes() + " min, lag <= "
                + s.maxLag().toMillis() + " ms";
    }

    @Override
    protected ModeDecision inDisplay(SessionMetrics metrics) {
        Settings s = settings;
        double display = metrics.displayBytesPerSecond();
        double replay = metrics.replayBytesPerSecond();
        if (!windowFull(metrics) || !isRate(display) || !isRate(replay) || display < s.minBytesPerSecond()
                || !isAtLeastTimes(display, s.replayAdvantage(), replay)) {
            return ModeDecision.stay();
        }
        return ModeDecision.toReplay(comparison("display", display, metrics.displayMeasured(), "replay", replay,
                metrics.replayMeasured(), s.replayAdvantage(), metrics.window()));
    }

    @Override
    protected ModeDecision inReplay(SessionMetrics metrics) {
        Settings s = settings;
        double display = metrics.displayBytesPerSecond();
        double replay = metrics.replayBytesPerSecond();
        if (!windowFull(metrics) || !isRate(display) || !isRate(replay) || replay < s.minBytesPerSecond()
                || !isAtLeastTimes(replay, s.displayAdvantage(), display)) {
            return ModeDecision.stay();
        }
        return ModeDecision.toDisplay(comparison("replay", replay, metrics.replayMeasured(), "display", display,
                metrics.displayMeasured(), s.displayAdvantage(), metrics.window()), ModeDecision.Cause.WORKLOAD);
    }

    /**
     * The rates are averaged over {@code metrics.window()}: until the session has spent that long in its mode they
     * include samples of the previous mode (and, just after a switch, its one-off costs).
     */
    private static boolean windowFull(SessionMetrics metrics) {
        return metrics.timeInMode().compareTo(metrics.window()) >= 0;
    }

    /** An unknown (NaN), infinite or negative rate decides nothing: staying is always safe. */
    private static boolean isRate(double bytesPerSecond) {
        return bytesPerSecond >= 0 && bytesPerSecond < Double.POSITIVE_INFINITY;
    }

    /**
     * @return whether {@code costly} is at least {@code times} {@code cheap}; a silent {@code costly} never is
     *         (nothing to save), a silent {@code cheap} always is. Compared as a quotient, which for decimal
     *         settings such as 1.1 lands exactly on the threshold where a product may not.
     */
    private static boolean isAtLeastTimes(double costly, double times, double cheap) {
        if (costly <= 0) {
            return false;
        }
        if (cheap <= 0) {
            return true;
        }
        return costly / cheap >= times;
    }

    /** E.g. "display 412.0 KiB/s is 6.3x the replay estimate 65.1 KiB/s over 20 s (threshold 1.5x)". */
    private static String comparison(String costlyName, double costly, boolean costlyMeasured, String cheapName,
            double cheap, boolean cheapMeasured, double threshold, Duration window) {
        String lead = costlyName + (costlyMeasured ? " " : " estimate ") + kib(costly);
        String other = cheapMeasured ? "the measured " + cheapName + " " + kib(cheap)
                : "the " + cheapName + " estimate " + kib(cheap);
        String relation = cheap > 0
                ? " is " + String.format(Locale.ROOT, "%." + decimals(threshold) + "f", costly / cheap) + "x "
                : " against ";
        return lead + relation + other + " over " + duration(window) + " (threshold " + number(threshold) + "x)";
    }

    /** As many decimals as the threshold has (1 to 3), so "1.25x" is never shown as a rounded "1.3x". */
    private static int decimals(double threshold) {
        return Math.max(1, Math.min(3, BigDecimal.valueOf(threshold).stripTrailingZeros().scale()));
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String kib(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f KiB/s", bytesPerSecond / 1024);
    }

    private static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : seconds(d) + " s";
    }
}
