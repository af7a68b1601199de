package org.replaydesk.recordlog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a subscription connects and buffers.
 *
 * @param token the server's shared token; empty when the server asks for none (loopback)
 * @param bufferBytes the most log bytes held for a slow sink before reading pauses and the sink is told it lags
 * @param tlsTrust PEM file with the CA certificates that sign the server's certificate; empty: plain TCP
 * @param reconnectDelay wait between attempts after a dropped connection
 * @param reconnectTimeout give up (and report an error) when no connection could be made for this long
 * @param idleTimeout a connection that delivers nothing, not even a heartbeat, for this long counts as dropped
 * @param compress ask the server to zlib-compress the stream (record logs shrink 2.4x to 14x; see the README)
 */
public record SubscriptionOptions(String token, int bufferBytes, Optional<Path> tlsTrust, Duration reconnectDelay,
        Duration reconnectTimeout, Duration idleTimeout, boolean compress) {

    /** The default buffer: 16 MiB, about 15 minutes of steady-state log, or a second of boot. */
    public static final int DEFAULT_BUFFER_BYTES = 16 << 20;

    /** Rejects values that cannot work. */
    public SubscriptionOptions {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tlsTrust, "tlsTrust");
        if (bufferBytes < 65536) {
            throw new IllegalArgumentException("bufferBytes " + bufferBytes + " is below 64 KiB, the largest frame");
        }
        if (reconnectDelay.isNegative() || reconnectTimeout.isNegative() || idleTimeout.isNegative()
                || idleTimeout.isZero()) {
            throw new IllegalArgumentException("reconnect delay/timeout must not be negative, idle timeout positive");
        }
    }

    /** @return no token, 16 MiB, plain TCP, retry every 200 ms for up to 30 s, 5 s idle timeout, compressed */
    public static SubscriptionOptions defaults() {
        return new SubscriptionOptions("", DEFAULT_BUFFER_BYTES, Optional.empty(), Duration.ofMillis(200),
                Duration.ofSeconds(30), Duration.ofSeconds(5), true);
    }

    public SubscriptionOptions withCompress(boolean value) {
        return new SubscriptionOptions(token, bufferBytes, tlsTrust, reconnectDelay, reconnectTimeout, idleTimeout,
                value);
    }

    public SubscriptionOptions withToken(String value) {
        return new SubscriptionOptions(value, bufferBytes, tlsTrust, reconnectDelay, reconnectTimeout, idleTimeout,
                compress);
    }

    public SubscriptionOptions withBufferBytes(int value) {
        return new SubscriptionOptions(token, value, tlsTrust, reconnectDelay, reconnectTimeout, idleTimeout,
                compress);
    }

    public SubscriptionOptions withTlsTrust(Path value) {
        return new SubscriptionOptions(token, bufferBytes, Optional.of(value), reconnectDelay, reconnectTimeout,
                idleTimeout, compress);
    }

    public SubscriptionOptions withReconnect(Duration delay, Duration timeout) {
        return new SubscriptionOptions(token, bufferBytes, tlsTrust, delay, timeout, idleTimeout, compress);
    }

    public SubscriptionOptions withIdleTimeout(Duration value) {
        return new SubscriptionOptions(token, bufferBytes, tlsTrust, reconnectDelay, reconnectTimeout, value, compress);
    }

    @Override
    public String toString() {
        // never print the token
        return "SubscriptionOptions[token=" + (token.isEmpty() ? "none" : "set") + ", bufferBytes=" + bufferBytes
                + ", tlsTrust=" + tlsTrust + ", reconnectDelay=" + reconnectDelay + ", reconnectTimeout="
                + reconnectTimeout + ", idleTimeout=" + idleTimeout + ", compress=" + compress + "]";
    }
}
