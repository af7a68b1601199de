package org.replaydesk.display.vnc.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of the two servers the display benchmark compares: QEMU's display side, from {@code /proc}, and the
 * relay's threads in this JVM, from {@link ThreadMXBean}.
 *
 * <p>QEMU: its process time (utime + stime of {@code /proc/PID/stat}, which keeps the time of threads that have
 * already exited, such as QEMU's short-lived worker pool) minus the time of its vCPU threads ({@code CPU n/TCG}, named
 * so by {@code -name ...,debug-threads=on}). What remains is the main loop (VGA refresh, VNC dirty tracking, socket
 * I/O) and the VNC encoder thread: the display side. Leaving out the vCPU removes the guest's own work, the noisiest
 * part on a shared machine, which no VNC client causes.
 */
final class CpuClocks {

    /** Prefix of QEMU's vCPU thread names with debug-threads=on ("CPU 0/TCG"). */
    private static final String VCPU_THREAD = "CPU ";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuClocks() {
    }

    /** utime + stime of one /proc stat line, and the name in it. */
    record ProcStat(String comm, long ticks) {
    }

    /**
     * Parses a {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat} line.
     *
     * @param line the file's content
     * @return comm and utime + stime in clock ticks
     * @throws IllegalArgumentException if the line is not a stat line
     */
    static ProcStat parse(String line) {
        // comm is in parentheses and may itself hold spaces and ')': the fields start after the last ')'.
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line (no \"(comm)\"): " + abbreviate(line));
        }
        String[] fields = line.substring(close + 1).trim().split(" +");
        // After comm: state(3) ... utime(14) stime(15); fields[0] is field 3.
        if (fields.length < 13) {
            throw new IllegalArgumentException("/proc stat line has " + (fields.length + 2)
                    + " fields, utime and stime are fields 14 and 15: " + abbreviate(line));
        }
        try {
            return new ProcStat(line.substring(open + 1, close), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("/proc stat line has a non-numeric utime or stime: " + abbreviate(line),
                    e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    /**
     * @param pid QEMU's process id (QEMU must run with {@code -name ...,debug-threads=on})
     * @param nanosPerTick nanoseconds per clock tick ({@link #nanosPerTick()})
     * @return CPU time of QEMU's threads other than the vCPUs, in nanoseconds
     * @throws IOException if the process is gone
     */
    static long qemuDisplayNanos(long pid, long nanosPerTick) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long total = parse(Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1)).ticks();
        long vcpu = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                try {
                    ProcStat stat = parse(Files.readString(task.resolve("stat"), StandardCharsets.ISO_8859_1));
                    if (stat.comm().startsWith(VCPU_THREAD)) {
                        vcpu += stat.ticks();
                    }
                } catch (NoSuchFileException exited) {
                    // a worker thread that just ended: its time is in the process total already
                }
            }
        }
        return (total - vcpu) * nanosPerTick;
    }

    /**
     * @return nanoseconds per {@code /proc} clock tick (USER_HZ, from {@code getconf CLK_TCK})
     * @throws IOException if getconf cannot be run
     */
    static long nanosPerTick() throws IOException {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        try {
            long hz = Long.parseLong(out);
            if (hz <= 0) {
                throw new NumberFormatException(out);
            }
            return 1_000_000_000L / hz;
        } catch (NumberFormatException e) {
            throw new IOException("getconf CLK_TCK printed \"" + out + "\", not a tick rate (install libc-bin)", e);
        }
    }

    /**
     * @param names which threads of this JVM to include, by name
     * @return CPU nanoseconds of each live matching thread, by thread id
     */
    static Map<Long, Long> threadNanos(Predicate<String> names) {
        if (!THREADS.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread CPU time (ThreadMXBean)");
        }
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        Map<Long, Long> out = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && names.test(info.getThreadName())) {
                long cpu = THREADS.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    out.put(info.getThreadId(), cpu);
                }
            }
        }
        return out;
    }

    /**
     * @param before {@link #threadNanos} at the start of a window
     * @param after {@link #threadNanos} at its end
     * @return CPU nanoseconds the threads used in between (a thread born in the window counts from zero)
     */
    static long elapsed(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }
}
