package org.replaydesk.session.internal;

import java.util.OptionalLong;

/**
 * The rate of a growing counter between two readings (bytes a VM's network carried, say). Not thread-safe: one
 * session tick reads it.
 */
final class CounterRate {
    private long lastValue = -1;
    private long lastNanos;

    /**
     * @param value the counter now (empty: unknown)
     * @param nowNanos monotonic now
     * @return units per second since the previous known reading; NaN for the first, for an unknown reading, and when
     *     the counter went back (it restarted: the next reading starts over)
     */
    double rate(OptionalLong value, long nowNanos) {
        if (value.isEmpty()) {
            lastValue = -1;
            return Double.NaN;
        }
        long v = value.getAsLong();
        double rate = Double.NaN;
        if (lastValue >= 0 && v >= lastValue && nowNanos > lastNanos) {
            rate = (v - lastValue) / ((nowNanos - lastNanos) / 1e9);
        }
        lastValue = v;
        lastNanos = nowNanos;
        return rate;
    }
}
