package org.replaydesk.session.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import org.replaydesk.api.hypervisor.VirtualMachine;

/**
 * CPU loads from Linux's {@code /proc}: the whole host ({@code /proc/stat}) and one process
 * ({@code /proc/PID/stat}). Each call compares with the previous one, so the first answer is NaN. A server host reads
 * a process's CPU time as it is ({@link #processCpuNanos}) and leaves the comparing to its clients.
 */
final class HostCpu {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final long TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture we run on
    private static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;

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

    /**
     * The pid of a VM's QEMU process on this host.
     *
     * @param vm a VM of this host's hypervisor
     * @return the pid, or -1 when it cannot be read (no process, or a driver that keeps no pid file)
     */
    static long qemuPid(VirtualMachine vm) {
        // The driver keeps qemu.pid beside the record log in the VM's state directory (and deletes it at stop).
        try {
            Path pid = vm.recordLog().getParent().resolve("qemu.pid");
            return Long.parseLong(Files.readString(pid).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time a process has used since it started, user and system, as a cumulative counter (for a server that
     * reports it to clients, which turn successive readings into a load).
     *
     * @param pid the process; negative: unknown
     * @return nanoseconds, at the resolution of the kernel's tick (10 ms); empty for an unknown pid, a process that
     *     is gone, or a stat file that cannot be read
     */
    static OptionalLong processCpuNanos(long pid) {
        if (pid < 0) {
            return OptionalLong.empty();
        }
        OptionalLong ticks = processCpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
        return ticks.isPresent() ? OptionalLong.of(ticks.getAsLong() * NANOS_PER_TICK) : OptionalLong.empty();
    }

    /**
     * @param stat a {@code /proc/PID/stat} file
     * @return utime + stime in clock ticks, empty when the file cannot be read or parsed
     */
    static OptionalLong processCpuTicks(Path stat) {
        try {
            String line = Files.readString(stat);
            // The command name is in parentheses and may hold spaces: fields count from the last ')'.
            List<String> f = List.of(line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+"));
            return OptionalLong.of(Long.parseLong(f.get(11)) + Long.parseLong(f.get(12))); // utime + stime
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
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
            OptionalLong read = processCpuTicks(stat);
            if (read.isEmpty()) {
                return Double.NaN;
            }
            long ticks = read.getAsLong();
            double load = Double.NaN;
            if (lastTicks >= 0 && nowNanos > lastNanos) {
                load = (ticks - lastTicks) / (double) TICKS_PER_SECOND / ((nowNanos - lastNanos) / 1e9);
            }
            lastTicks = ticks;
            lastNanos = nowNanos;
            return load;
        }
    }
}
