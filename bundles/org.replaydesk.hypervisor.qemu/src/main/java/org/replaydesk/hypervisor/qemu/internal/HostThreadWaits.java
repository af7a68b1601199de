package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a process's threads wait in the Linux kernel, read from {@code /proc/PID/task/*}: the evidence that tells a
 * replayer stuck on a page of its FUSE-backed snapshot memory (the vCPU thread in {@code filemap_fault}), on a read
 * of the live record log (in FUSE's {@code request_wait_answer}), or nowhere at all (the replay waits for an event its
 * log does not give: it diverged). QEMU names its threads when started with {@code -name ...,debug-threads=on}
 * ("CPU 0/TCG", "worker", ...).
 *
 * <p>Threads that sleep in poll, epoll or a futex are idle in the usual way and are left out; so are running ones.
 * The kernel stack ({@code /proc/PID/task/TID/stack}) needs root or CAP_SYS_ADMIN; without it only the wait channel
 * is named.
 */
final class HostThreadWaits {

    /**
     * Wait channels of threads that are idle by design (event loops, condition variables, sleeps), without the
     * compiler's suffixes ({@code poll_schedule_timeout.constprop.0}); names differ between kernel versions.
     */
    private static final List<String> IDLE_WAITS = List.of("do_sys_poll", "poll_schedule_timeout", "do_select",
            "do_epoll_wait", "ep_poll", "futex_wait_queue", "futex_wait_queue_me", "futex_do_wait", "futex_wait",
            "hrtimer_nanosleep", "do_nanosleep", "sigsuspend", "do_sigtimedwait");

    private HostThreadWaits() {
    }

    /**
     * @param pid a live process
     * @return one line per thread that is blocked somewhere else than an idle wait, e.g. {@code CPU 0/TCG (tid 812):
     *     page fault on a file mapping [filemap_fault]}; "no thread is blocked in the kernel" when there is none;
     *     empty when the process is gone or /proc cannot be read
     */
    static Optional<String> describe(long pid) {
        return describe(Path.of("/proc", Long.toString(pid), "task"));
    }

    static Optional<String> describe(Path taskDir) {
        List<String> blocked = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path task : tasks) {
                thread(task).ifPresent(blocked::add);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        blocked.sort(null);
        return Optional.of(blocked.isEmpty() ? "no thread is blocked in the kernel" : String.join("; ", blocked));
    }

    private static Optional<String> thread(Path task) {
        String stat = read(task.resolve("stat"));
        String wchan = read(task.resolve("wchan")).trim();
        int suffix = wchan.indexOf('.');
        String channel = suffix > 0 ? wchan.substring(0, suffix) : wchan;
        // stat: "TID (COMM) STATE ..."; COMM may hold spaces and parentheses, the state follows the last ')'
        int close = stat.lastIndexOf(')');
        String state = close > 0 && close + 2 < stat.length() ? stat.substring(close + 2, close + 3) : "?";
        if ("R".equals(state) || (("S".equals(state)) && (wchan.isEmpty() || "0".equals(wchan)
                || IDLE_WAITS.contains(channel)))) {
            return Optional.empty();
        }
        String stack = read(task.resolve("stack"));
        String name = read(task.resolve("comm")).trim();
        return Optional.of(name + " (tid " + task.getFileName() + ", state " + state + "): "
                + meaning(wchan, stack) + " [" + (wchan.isEmpty() || "0".equals(wchan) ? "?" : wchan) + "]");
    }

    /** What a wait channel and kernel stack mean for a QEMU replayer, in words. */
    static String meaning(String wchan, String stack) {
        String where = wchan + "\n" + stack;
        if (where.contains("filemap_fault") || where.contains("__do_fault")) {
            // A replayer maps one file as guest RAM: the snapshot's memory image, served by rdfuse chunk by chunk.
            return where.contains("folio_wait") || where.contains("wait_on_page") || where.contains("fuse")
                    ? "page fault on a file mapping, waiting for the page to be read in (in a replayer: guest RAM "
                    + "mapped from the snapshot's memory image, whose chunk has not arrived)"
                    : "page fault on a file mapping";
        }
        if (where.contains("fuse_")) {
            return "waiting for a FUSE request (a read of the record log or of an image served by rdfuse)";
        }
        if (where.contains("pipe_") || where.contains("unix_stream") || where.contains("sk_wait")) {
            return "waiting on a pipe or socket";
        }
        if (where.contains("io_schedule") || where.contains("blk_") || where.contains("folio_wait")) {
            return "waiting for disk I/O";
        }
        return "blocked in the kernel";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
