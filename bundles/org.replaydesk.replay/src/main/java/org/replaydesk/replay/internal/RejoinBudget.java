package org.replaydesk.replay.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How often a VM's replay may be replaced after diverging: at most {@code limit} rejoins within {@code window}. A
 * replay that diverges again and again (a recording QEMU cannot replay, e.g. one with network traffic of a card
 * whose packets replay wrongly) would otherwise take a snapshot of the recorder, and stall its guest, every few
 * seconds forever; past the limit it stays stalled and says so.
 */
final class RejoinBudget {

    private final int limit;
    private final Duration window;
    private final Deque<Instant> rejoins = new ArrayDeque<>();
    private int total;

    RejoinBudget(int limit, Duration window) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " is negative");
        }
        this.limit = limit;
        this.window = window;
    }

    /** @return whether a rejoin may start now; if so it is counted */
    synchronized boolean tryTake(Instant now) {
        while (!rejoins.isEmpty() && !rejoins.peekFirst().isAfter(now.minus(window))) {
            rejoins.removeFirst();
        }
        if (rejoins.size() >= limit) {
            return false;
        }
        rejoins.addLast(now);
        total++;
        return true;
    }

    /** @return rejoins taken so far, all time */
    synchronized int total() {
        return total;
    }

    @Override
    public String toString() {
        return limit + " rejoins per " + window.toMinutes() + " min";
    }
}
