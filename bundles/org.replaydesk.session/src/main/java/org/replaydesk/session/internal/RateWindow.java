package org.replaydesk.session.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Per-tick samples of a session's traffic rates, averaged over whatever window the active policy wants (a swap to a
 * policy with another window needs no new measurement). Keeps {@link #KEEP} of history.
 */
final class RateWindow {

    static final Duration KEEP = Duration.ofMinutes(5);

    /** One tick's rates in bytes per second. */
    record Sample(Instant at, double display, boolean displayMeasured, double replay, boolean replayMeasured,
            double log, double chunks) {
    }

    /** Averages over a window; each flag is true if every sample in the window was measured. */
    record Average(double display, boolean displayMeasured, double replay, boolean replayMeasured, double log,
            double chunks) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    synchronized void add(Sample s) {
        samples.addLast(s);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(s.at().minus(KEEP))) {
            samples.removeFirst();
        }
    }

    /**
     * @param now the newest time
     * @param window how far back to average
     * @return the averages; zeros without samples
     */
    synchronized Average average(Instant now, Duration window) {
        Instant from = now.minus(window);
        double d = 0, r = 0, l = 0, c = 0;
        boolean dm = true, rm = true;
        int n = 0;
        for (Sample s : samples) {
            if (s.at().isAfter(from)) {
                d += s.display();
                r += s.replay();
                l += s.log();
                c += s.chunks();
                dm &= s.displayMeasured();
                rm &= s.replayMeasured();
                n++;
            }
        }
        if (n == 0) {
            return new Average(0, true, 0, false, 0, 0);
        }
        return new Average(d / n, dm, r / n, rm, l / n, c / n);
    }
}
