package com.example.replaydesk.policy;

import java.time.Duration;
import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.SessionMetrics;

/**
 * Example third-party policy: a session moves to replay as soon as its display traffic, averaged over
 * {@code window.seconds}, exceeds {@code cap.bytes.per.second} while the client host has CPU to spare
 * ({@code max.client.cpu}); it goes back to display when the replay traffic, once measured, exceeds the same cap.
 *
 * <p>It keeps {@link AbstractModeSwitchPolicy}'s safety rules (dual-mode cap, back-off, lag bound) and holds no
 * per-session state, so one instance serves every session without locking. Every reason starts with the policy's
 * name so {@code desk:session-history} (and an integration test) shows which policy moved the session.
 */
@Component(service = ModeSwitchPolicy.class, configurationPid = BandwidthCapPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = ModeSwitchPolicy.NAME_PROPERTY + "=" + BandwidthCapPolicy.NAME)
@Designate(ocd = BandwidthCapPolicy.Config.class)
public final class BandwidthCapPolicy extends AbstractModeSwitchPolicy {

    /** The name operators pass to {@code desk:policy-set}. */
    public static final String NAME = "example-bandwidth-cap";
    /** Configuration PID ({@code etc/com.example.replaydesk.policy.bandwidthcap.cfg}). */
    public static final String PID = "com.example.replaydesk.policy.bandwidthcap";

    /** The settings; DS re-creates the component when they change and the session service rebinds. */
    @ObjectClassDefinition(name = "ReplayDesk example bandwidth-cap policy",
            description = "Replay as soon as the display traffic exceeds a cap")
    public @interface Config {
        @AttributeDefinition(name = "Cap (bytes/s)",
                description = "Display traffic above this, averaged over the window, starts a switch to replay;"
                        + " measured replay traffic above it goes back to display. At least 1.")
        long cap_bytes_per_second() default 32768;

        @AttributeDefinition(name = "Window (s)", description = "Seconds the traffic is averaged over, 1 to 300"
                + " (the session service keeps 5 minutes of samples).")
        int window_seconds() default 20;

        @AttributeDefinition(name = "Highest client CPU load",
                description = "No switch to replay while the client host's CPU load (0 to 1) is at or above this,"
                        + " or unknown. Above 0, at most 1.")
        double max_client_cpu() default 0.8;
    }

    /** Longest window: the session service keeps 5 minutes of per-second samples (ModeSwitchPolicy.window()). */
    static final int MAX_WINDOW_SECONDS = 300;

    private final long capBytesPerSecond;
    private final Duration window;
    private final double maxClientCpu;

    /**
     * @param config the component's configuration
     * @throws IllegalArgumentException if a setting is out of range (DS then does not register the policy, and
     *         the log names the setting)
     */
    @Activate
    public BandwidthCapPolicy(Config config) {
        this(config.cap_bytes_per_second(), config.window_seconds(), config.max_client_cpu());
    }

    /**
     * @param capBytesPerSecond the cap, at least 1
     * @param windowSeconds the averaging window, 1 to {@value #MAX_WINDOW_SECONDS}
     * @param maxClientCpu the highest client CPU load allowing a switch, in (0, 1]
     * @throws IllegalArgumentException naming the configuration key that is out of range
     */
    public BandwidthCapPolicy(long capBytesPerSecond, int windowSeconds, double maxClientCpu) {
        if (capBytesPerSecond < 1) {
            throw new IllegalArgumentException(PID + ": cap.bytes.per.second must be at least 1, got "
                    + capBytesPerSecond);
        }
        if (windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
            throw new IllegalArgumentException(PID + ": window.seconds must be 1 to " + MAX_WINDOW_SECONDS
                    + ", got " + windowSeconds);
        }
        // written this way round so NaN fails too
        if (!(maxClientCpu > 0 && maxClientCpu <= 1)) {
            throw new IllegalArgumentException(PID + ": max.client.cpu must be above 0 and at most 1, got "
                    + maxClientCpu);
        }
        this.capBytesPerSecond = capBytesPerSecond;
        this.window = Duration.ofSeconds(windowSeconds);
        this.maxClientCpu = maxClientCpu;
    }

    @Override
    public Duration window() {
        return window;
    }

    @Override
    public String describe() {
        return NAME + ": replay when display traffic > " + capBytesPerSecond + " B/s over " + window.toSeconds()
                + " s and client CPU < " + percent(maxClientCpu) + "; display when measured replay traffic > cap";
    }

    @Override
    protected ModeDecision inDisplay(SessionMetrics metrics) {
        double display = metrics.displayBytesPerSecond();
        if (display <= capBytesPerSecond) {
            return ModeDecision.stay();
        }
        double cpu = metrics.clientCpuLoad();
        // an unknown load is treated as a busy client: replay would put the whole desktop on it
        if (Double.isNaN(cpu) || cpu >= maxClientCpu) {
            return ModeDecision.stay();
        }
        return ModeDecision.toReplay(NAME + ": display traffic " + bytes(display) + " B/s over the last "
                + seconds(metrics.window()) + " s exceeds the cap of " + capBytesPerSecond + " B/s; client CPU "
                + percent(cpu) + " < " + percent(maxClientCpu));
    }

    @Override
    protected ModeDecision inDual(SessionMetrics metrics) {
        // in dual mode the replay traffic is measured: abandon an attempt that already costs more than the cap
        return replayOverCap(metrics, "abandoning the attempt");
    }

    @Override
    protected ModeDecision inReplay(SessionMetrics metrics) {
        return replayOverCap(metrics, "back to display");
    }

    private ModeDecision replayOverCap(SessionMetrics metrics, String action) {
        // an estimate is not enough to give up replay: only a measured rate counts
        if (!metrics.replayMeasured() || metrics.replayBytesPerSecond() <= capBytesPerSecond) {
            return ModeDecision.stay();
        }
        return ModeDecision.toDisplay(NAME + ": measured replay traffic " + bytes(metrics.replayBytesPerSecond())
                + " B/s over the last " + seconds(metrics.window()) + " s exceeds the cap of " + capBytesPerSecond
                + " B/s; " + action);
    }

    private static String bytes(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.0f", bytesPerSecond);
    }

    private static String percent(double load) {
        return String.format(Locale.ROOT, "%.0f%%", load * 100);
    }
}
