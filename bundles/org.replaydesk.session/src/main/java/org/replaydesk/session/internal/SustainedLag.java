package org.replaydesk.session.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The replay lag a policy sees: the smallest reading over the last {@link #span}. One reading compares the server's
 * instruction count from its newest heartbeat with the replayer's count now, so it carries the heartbeat's age and
 * the record log's flush granularity (QEMU writes the log in 4 KiB blocks: about half a second of an animation's
 * log). A single reading over 500 ms is therefore often noise, and acting on it costs a failed attempt and the
 * 20-minute back-off; a replayer that really falls behind stays behind for the whole span and is caught one or two
 * ticks later.
 */
final class SustainedLag {

    private record Reading(Instant at, Duration lag) {
    }

    private final Duration span;
    private final Deque<Reading> readings = new ArrayDeque<>();

    /** @param span how long a lag must last to count (2 s: two or three ticks) */
    SustainedLag(Duration span) {
        this.span = span;
    }

    /**
     * @param at when the reading was taken
     * @param lag the reading; empty when no replayer runs (forgets every earlier reading)
     * @return the smallest reading within {@code span} before {@code at}, empty when {@code lag} is
     */
    Optional<Duration> add(Instant at, Optional<Duration> lag) {
        if (lag.isEmpty()) {
            readings.clear();
            return Optional.empty();
        }
        readings.addLast(new Reading(at, lag.get()));
        Instant oldest = at.minus(span);
        while (readings.peekFirst().at().isBefore(oldest)) {
            readings.removeFirst();
        }
        Duration min = lag.get();
        for (Reading r : readings) {
            if (r.lag().compareTo(min) < 0) {
                min = r.lag();
            }
        }
        return Optional.of(min);
    }
}
