package org.replaydesk.api.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link ModeSwitchPolicy} sees about one session at one moment. The session service fills it about
 * once a second; traffic rates are averages over {@link #window()} (the policy's {@link ModeSwitchPolicy#window()}).
 *
 * <p>Traffic is in bytes on the wire per second. In DISPLAY (and SNAPSHOTTING, DUAL) the display traffic is what the
 * viewers receive ({@link #displayMeasured()} true) and the replay traffic is an estimate: the record log's growth
 * plus the chunk traffic a join would cost, spread over the estimator's horizon. In DUAL and REPLAY the replay
 * traffic is measured; in REPLAY the display traffic is an estimate from the server's framebuffer damage.
 *
 * @param session the session's id (policies are shared by every session; per-session state is keyed by it)
 * @param now when the metrics were taken (the session service's clock)
 * @param mode the session's mode
 * @param timeInMode how long the session has been in {@code mode}
 * @param window the window the rates are averaged over
 * @param displayBytesPerSecond display traffic, measured or estimated (see {@code displayMeasured})
 * @param displayMeasured whether {@code displayBytesPerSecond} was measured (false: estimated from damage)
 * @param replayBytesPerSecond replay traffic: log plus chunks, measured or estimated (see {@code replayMeasured}); chunk
 *        bytes are one-time traffic (a content-addressed cache never fetches a chunk twice), so they count spread
 *        over the estimator's horizon, whether expected (a join in display mode) or fetched (by a running replayer)
 * @param replayMeasured whether {@code replayBytesPerSecond} was measured (false: estimated from log growth)
 * @param logBytesPerSecond the record log's growth on the wire (compressed), always measured at the server
 * @param chunkBytesPerSecond chunk traffic: measured while a replayer fetches, else the expected join cost spread
 *        over the estimator's horizon
 * @param replayLag how far the replayer is behind the server, as a lag that lasted: the session service reports the
 *        smallest reading of the last 2 s (one reading includes the heartbeat's age and the log's flush granularity);
 *        empty when no replayer runs
 * @param logBufferFull whether the record log waiting for the replayer has reached its bound (16 MiB by default)
 * @param timeInDual how long the current dual mode has lasted; zero outside DUAL
 * @param lastFailedSwitch when the last attempt to reach REPLAY was given up (snapshot failed, dual mode abandoned);
 *        empty if none
 * @param clientCpuLoad the client host's CPU load, 0 to 1 over all its cores; NaN if unknown
 * @param roundTrip round trip time between client and server host (connect time of the record log channel)
 * @param inputEvents key and pointer events the viewers sent over the last {@code inputWindow}
 * @param inputWindow the window {@code inputEvents} counts over (10 s, as in Snowbird)
 * @param framesPerSecondAfterInput frames per second the server's screen produced in the second after each input
 *        event, averaged over {@code inputWindow}; 0 without input
 * @param vmCpuLoad the server VM's CPU use in cores (its QEMU process), NaN if unknown
 * @param vmNetworkBytesPerSecond the server VM's network traffic (bytes per second, both directions), NaN if
 *        unknown
 * @param viewers viewers connected to the session now
 */
public record SessionMetrics(String session, Instant now, SessionMode mode, Duration timeInMode, Duration window,
        double displayBytesPerSecond, boolean displayMeasured, double replayBytesPerSecond, boolean replayMeasured,
        double logBytesPerSecond, double chunkBytesPerSecond, Optional<Duration> replayLag, boolean logBufferFull,
        Duration timeInDual, Optional<Instant> lastFailedSwitch, double clientCpuLoad, Duration roundTrip,
        int inputEvents, Duration inputWindow, double framesPerSecondAfterInput, double vmCpuLoad,
        double vmNetworkBytesPerSecond, int viewers) {

    /** Checks the arguments. */
    public SessionMetrics {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(timeInMode, "timeInMode");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(replayLag, "replayLag");
        Objects.requireNonNull(timeInDual, "timeInDual");
        Objects.requireNonNull(lastFailedSwitch, "lastFailedSwitch");
        Objects.requireNonNull(roundTrip, "roundTrip");
        Objects.requireNonNull(inputWindow, "inputWindow");
    }

    /**
     * @return replay traffic divided by display traffic; below 1 replay is cheaper. Infinity when the display is
     *         silent but the log is not, 1 when both are silent.
     */
    public double replayToDisplayRatio() {
        if (displayBytesPerSecond <= 0) {
            return replayBytesPerSecond <= 0 ? 1.0 : Double.POSITIVE_INFINITY;
        }
        return replayBytesPerSecond / displayBytesPerSecond;
    }

    /** @return a builder with quiet defaults (DISPLAY, no traffic, no lag), for tests and tools */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this snapshot's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.session = session;
        b.now = now;
        b.mode = mode;
        b.timeInMode = timeInMode;
        b.window = window;
        b.displayBytesPerSecond = displayBytesPerSecond;
        b.displayMeasured = displayMeasured;
        b.replayBytesPerSecond = replayBytesPerSecond;
        b.replayMeasured = replayMeasured;
        b.logBytesPerSecond = logBytesPerSecond;
        b.chunkBytesPerSecond = chunkBytesPerSecond;
        b.replayLag = replayLag;
        b.logBufferFull = logBufferFull;
        b.timeInDual = timeInDual;
        b.lastFailedSwitch = lastFailedSwitch;
        b.clientCpuLoad = clientCpuLoad;
        b.roundTrip = roundTrip;
        b.inputEvents = inputEvents;
        b.inputWindow = inputWindow;
        b.framesPerSecondAfterInput = framesPerSecondAfterInput;
        b.vmCpuLoad = vmCpuLoad;
        b.vmNetworkBytesPerSecond = vmNetworkBytesPerSecond;
        b.viewers = viewers;
        return b;
    }

    /** Builds {@link SessionMetrics}; every setter returns the builder. */
    public static final class Builder {
        private String session = "test";
        private Instant now = Instant.EPOCH;
        private SessionMode mode = SessionMode.DISPLAY;
        private Duration timeInMode = Duration.ZERO;
        private Duration window = Duration.ofSeconds(20);
        private double displayBytesPerSecond;
        private boolean displayMeasured = true;
        private double replayBytesPerSecond;
        private boolean replayMeasured;
        private double logBytesPerSecond;
        private double chunkBytesPerSecond;
        private Optional<Duration> replayLag = Optional.empty();
        private boolean logBufferFull;
        private Duration timeInDual = Duration.ZERO;
        private Optional<Instant> lastFailedSwitch = Optional.empty();
        private double clientCpuLoad = Double.NaN;
        private Duration roundTrip = Duration.ZERO;
        private int inputEvents;
        private Duration inputWindow = Duration.ofSeconds(10);
        private double framesPerSecondAfterInput;
        private double vmCpuLoad = Double.NaN;
        private double vmNetworkBytesPerSecond = Double.NaN;
        private int viewers;

        private Builder() {
        }

        public Builder session(String value) {
            session = value;
            return this;
        }

        public Builder now(Instant value) {
            now = value;
            return this;
        }

        public Builder mode(SessionMode value) {
            mode = value;
            return this;
        }

        public Builder timeInMode(Duration value) {
            timeInMode = value;
            return this;
        }

        public Builder window(Duration value) {
            window = value;
            return this;
        }

        /**
         * @param bytesPerSecond display traffic
         * @param measured whether it was measured (true) or estimated from damage (false)
         * @return this
         */
        public Builder display(double bytesPerSecond, boolean measured) {
            displayBytesPerSecond = bytesPerSecond;
            displayMeasured = measured;
            return this;
        }

        /**
         * @param bytesPerSecond replay traffic (log plus chunks)
         * @param measured whether it was measured (true) or estimated (false)
         * @return this
         */
        public Builder replay(double bytesPerSecond, boolean measured) {
            replayBytesPerSecond = bytesPerSecond;
            replayMeasured = measured;
            return this;
        }

        public Builder logBytesPerSecond(double value) {
            logBytesPerSecond = value;
            return this;
        }

        public Builder chunkBytesPerSecond(double value) {
            chunkBytesPerSecond = value;
            return this;
        }

        public Builder replayLag(Duration value) {
            replayLag = Optional.ofNullable(value);
            return this;
        }

        public Builder logBufferFull(boolean value) {
            logBufferFull = value;
            return this;
        }

        public Builder timeInDual(Duration value) {
            timeInDual = value;
            return this;
        }

        public Builder lastFailedSwitch(Instant value) {
            lastFailedSwitch = Optional.ofNullable(value);
            return this;
        }

        public Builder clientCpuLoad(double value) {
            clientCpuLoad = value;
            return this;
        }

        public Builder roundTrip(Duration value) {
            roundTrip = value;
            return this;
        }

        /**
         * @param events input events over {@code window}
         * @param window the window they were counted over
         * @return this
         */
        public Builder input(int events, Duration window) {
            inputEvents = events;
            inputWindow = window;
            return this;
        }

        public Builder framesPerSecondAfterInput(double value) {
            framesPerSecondAfterInput = value;
            return this;
        }

        public Builder vmCpuLoad(double value) {
            vmCpuLoad = value;
            return this;
        }

        public Builder vmNetworkBytesPerSecond(double value) {
            vmNetworkBytesPerSecond = value;
            return this;
        }

        public Builder viewers(int value) {
            viewers = value;
            return this;
        }

        /** @return the metrics */
        public SessionMetrics build() {
            return new SessionMetrics(session, now, mode, timeInMode, window, displayBytesPerSecond, displayMeasured,
                    replayBytesPerSecond, replayMeasured, logBytesPerSecond, chunkBytesPerSecond, replayLag,
                    logBufferFull, timeInDual, lastFailedSwitch, clientCpuLoad, roundTrip, inputEvents,
                    inputWindow, framesPerSecondAfterInput, vmCpuLoad, vmNetworkBytesPerSecond, viewers);
        }
    }
}
