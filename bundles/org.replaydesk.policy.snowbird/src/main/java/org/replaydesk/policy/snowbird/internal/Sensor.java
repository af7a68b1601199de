package org.replaydesk.policy.snowbird.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import org.replaydesk.api.session.SessionMetrics;

/**
 * The readings a snowbird profile's conditions can test, each named as in the profile and read from
 * {@link SessionMetrics}. Snowbird's interactivity sensors (input events per window, frames per second after an
 * input) and performance sensors (CPU, network) plus ReplayDesk's traffic readings.
 *
 * <p>Unknown readings (a VM whose CPU is not known, no replayer to lag) are NaN, and a NaN never satisfies a
 * condition, whatever the operator: a rule cannot fire on something nobody measured.
 */
enum Sensor {
    /** Key and pointer events over the last 10 s (Snowbird's interaction intensity). */
    INPUT_EVENTS("inputEvents", true, m -> m.inputEvents()),
    /** Frames per second the server's screen produced after each input, averaged over 10 s (response smoothness). */
    FRAMES_PER_SECOND_AFTER_INPUT("framesPerSecondAfterInput", false, SessionMetrics::framesPerSecondAfterInput),
    /** Display traffic, bytes per second over the policy's window. */
    DISPLAY_BYTES_PER_SECOND("displayBytesPerSecond", false, SessionMetrics::displayBytesPerSecond),
    /** Replay traffic (log plus chunks), bytes per second over the policy's window. */
    REPLAY_BYTES_PER_SECOND("replayBytesPerSecond", false, SessionMetrics::replayBytesPerSecond),
    /** Record log growth on the wire, bytes per second. */
    LOG_BYTES_PER_SECOND("logBytesPerSecond", false, SessionMetrics::logBytesPerSecond),
    /** Chunk traffic, bytes per second. */
    CHUNK_BYTES_PER_SECOND("chunkBytesPerSecond", false, SessionMetrics::chunkBytesPerSecond),
    /** Replay traffic divided by display traffic: below 1 replay is cheaper. */
    REPLAY_TO_DISPLAY_RATIO("replayToDisplayRatio", false, SessionMetrics::replayToDisplayRatio),
    /** The server VM's CPU use in cores; NaN if unknown. */
    VM_CPU_LOAD("vmCpuLoad", false, SessionMetrics::vmCpuLoad),
    /** The server VM's network traffic, bytes per second; NaN if unknown. */
    VM_NETWORK_BYTES_PER_SECOND("vmNetworkBytesPerSecond", false, SessionMetrics::vmNetworkBytesPerSecond),
    /** The client host's CPU load, 0 to 1; NaN if unknown. */
    CLIENT_CPU_LOAD("clientCpuLoad", false, SessionMetrics::clientCpuLoad),
    /** Round trip between client and server host, milliseconds. */
    ROUND_TRIP_MILLIS("roundTripMillis", true, m -> m.roundTrip().toMillis()),
    /** How far the replayer lags, milliseconds; NaN when no replayer runs. */
    REPLAY_LAG_MILLIS("replayLagMillis", true, m -> m.replayLag().map(l -> (double) l.toMillis()).orElse(Double.NaN)),
    /** Viewers connected now. */
    VIEWERS("viewers", true, m -> m.viewers()),
    /** Seconds the session has been in its current mode. */
    TIME_IN_MODE_SECONDS("timeInModeSeconds", false, m -> m.timeInMode().toMillis() / 1000.0);

    private final String profileName;
    private final boolean integral;
    private final ToDoubleFunction<SessionMetrics> reader;

    Sensor(String profileName, boolean integral, ToDoubleFunction<SessionMetrics> reader) {
        this.profileName = profileName;
        this.integral = integral;
        this.reader = reader;
    }

    /**
     * @return whether the reading measures the client's ability to keep up with the replay rather than what the
     *     desktop does: a rule that leaves replay on it reports {@code CLIENT_BEHIND}, which the session counts as a
     *     failed switch (and backs off), while workload rules report {@code WORKLOAD}
     */
    boolean measuresTheClient() {
        return this == REPLAY_LAG_MILLIS || this == CLIENT_CPU_LOAD;
    }

    /** @return the name a profile uses */
    String profileName() {
        return profileName;
    }

    /**
     * @param metrics one session's metrics
     * @return this sensor's reading; NaN if unknown
     */
    double read(SessionMetrics metrics) {
        return reader.applyAsDouble(metrics);
    }

    /**
     * @param value a reading of this sensor
     * @return it as an operator reads it in a reason: counts as integers, rates with one decimal, small ratios
     *         with three significant digits (so 0.083 is not shown as 0.1 next to a 0.1 threshold)
     */
    String format(double value) {
        if (Double.isNaN(value)) {
            return "unknown";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "infinite" : "-infinite";
        }
        if (integral) {
            return Long.toString(Math.round(value));
        }
        if (value == 0 || Math.abs(value) >= 1) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /**
     * @param name a name from a profile
     * @return the sensor of that name
     */
    static Optional<Sensor> byProfileName(String name) {
        return Arrays.stream(values()).filter(s -> s.profileName.equals(name)).findFirst();
    }

    /** @return every sensor's profile name, comma-separated, for error messages */
    static String knownNames() {
        return Arrays.stream(values()).map(Sensor::profileName).collect(Collectors.joining(", "));
    }
}
