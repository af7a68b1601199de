package org.replaydesk.session.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One-time traffic spread over a horizon: the bytes seen within the last {@code horizon}, divided by the horizon.
 *
 * <p>Chunks are such traffic. The client's cache is content-addressed, so a chunk a replayer fetched (for the join,
 * or later when the guest reads a file it never read before) never crosses the network again. Counting such a burst
 * as a steady rate would make a replaying session flee to display mode when, say, a video starts and its file is
 * paged in, only to pay a new join a minute later: the sequence benchmark saw exactly that (a 58 MB rejoin). In
 * display mode the expected join is spread over the same horizon, so both sides of the comparison treat chunk bytes
 * alike.
 */
final class AmortizedBytes {

    private record Entry(Instant at, double bytes) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private double sum;

    /**
     * @param at when the bytes moved
     * @param bytes how many (zero is ignored)
     */
    void add(Instant at, double bytes) {
        if (bytes > 0) {
            entries.addLast(new Entry(at, bytes));
            sum += bytes;
        }
    }

    /**
     * @param now the current time
     * @param horizon what the bytes are spread over (at least one second)
     * @return bytes of the last {@code horizon} per second of the horizon
     */
    double rate(Instant now, Duration horizon) {
        Instant oldest = now.minus(horizon);
        while (!entries.isEmpty() && entries.peekFirst().at().isBefore(oldest)) {
            sum -= entries.removeFirst().bytes();
        }
        if (entries.isEmpty()) {
            sum = 0; // no drift from floating-point subtraction
        }
        return sum / Math.max(1, horizon.toSeconds());
    }

    /** Forgets everything (the replayer stopped). */
    void clear() {
        entries.clear();
        sum = 0;
    }
}
