package org.replaydesk.session.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU loads from Linux's {@code /proc}: the whole host ({@code /proc/stat}) and one process
 * ({@code /proc/PID/stat}). Each call compares with the previous one, so the first answer is NaN.
 */
final class HostCpu {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final long TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture we run on

    private long lastBusy = -1;
    private long lastTotal = -1;

    /** @return the host's CPU load since the last call, 0 to 1 over all cores; NaN on the first call or failure */
    synchronized double hostLoad() {
        try {
            String first = Files.readAllLines(PROC_STAT).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            long busy = total - idle;
            double load = Double.NaN;
            if (lastTotal >= 0 && total > lastTotal) {
                load = (double) (busy - lastBusy) / (total - lastTotal);
            }
            lastBusy = busy;
            lastTotal = total;
            return load;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU use of one process, in cores. */
    static final class ProcessCpu {
        private final Path stat;
        private long lastTicks = -1;
        private long lastNanos;

        /** @param pid the process */
        ProcessCpu(long pid) {
            this.stat = Path.of("/proc", Long.toString(pid), "stat");
        }

        /**
         * @param nowNanos monotonic now
         * @return cores used since the last call; NaN on the first call or when the process is gone
         */
        synchronized double load(long nowNanos) {
            try {
                String line = Files.readString(stat);
                // The command name is in parentheses and may hold spaces: fields count from the last ')'.
                List<String> f = List.of(line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+"));
                long ticks = Long.parseLong(f.get(11)) + Long.parseLong(f.get(12)); // utime + stime
                double load = Double.NaN;
                if (lastTicks >= 0 && nowNanos > lastNanos) {
                    load = (ticks - lastTicks) / (double) TICKS_PER_SECOND / ((nowNanos - lastNanos) / 1e9);
                }
                lastTicks = ticks;
                lastNanos = nowNanos;
                return load;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }
    }
}
