package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostThreadWaitsTest {
    @TempDir
    Path dir;

    /**
     * The kernel stack of a process faulting on a page of an rdfuse image whose chunk never arrives (Linux 6.18,
     * read from /proc/PID/task/TID/stack of a private mapping of an IMAGE nobody answers NEED for).
     */
    private static final String FUSE_FAULT_STACK = """
            [<0>] folio_wait_bit_common+0x167/0x370
            [<0>] filemap_fault+0x797/0x1720
            [<0>] __do_fault+0x34/0xd0
            [<0>] do_fault+0x319/0x660
            [<0>] __handle_mm_fault+0x84a/0xfb0
            [<0>] handle_mm_fault+0xd3/0x340
            [<0>] exc_page_fault+0x176/0x770
            [<0>] asm_exc_page_fault+0x22/0x30
            """;

    private void thread(int tid, String comm, String state, String wchan, String stack) throws Exception {
        Path t = Files.createDirectories(dir.resolve(Integer.toString(tid)));
        Files.writeString(t.resolve("stat"), tid + " (" + comm + ") " + state + " 1 2 3 4");
        Files.writeString(t.resolve("comm"), comm + "\n");
        Files.writeString(t.resolve("wchan"), wchan);
        Files.writeString(t.resolve("stack"), stack);
    }

    @Test
    void namesTheVcpuWaitingForAPageOfTheMemoryImageAndSkipsIdleThreads() throws Exception {
        thread(100, "qemu-system-x86", "S", "poll_schedule_timeout.constprop.0", "");
        thread(101, "call_rcu", "S", "futex_do_wait", "");
        thread(104, "IO mon_iothread", "S", "do_sys_poll", "");
        thread(102, "CPU 0/TCG", "D", "folio_wait_bit_common", FUSE_FAULT_STACK);
        thread(103, "worker", "R", "0", "");
        String waits = HostThreadWaits.describe(dir).orElseThrow();
        assertEquals("CPU 0/TCG (tid 102, state D): page fault on a file mapping, waiting for the page to be read in "
                + "(in a replayer: guest RAM mapped from the snapshot's memory image, whose chunk has not arrived) "
                + "[folio_wait_bit_common]", waits);
    }

    @Test
    void namesAReadOfTheLiveLog() throws Exception {
        thread(7, "CPU 0/TCG", "S", "request_wait_answer",
                "[<0>] request_wait_answer+0x1e4/0x260\n[<0>] fuse_simple_request+0x1a6/0x300\n"
                        + "[<0>] fuse_do_readpage+0x11d/0x1b0\n");
        assertTrue(HostThreadWaits.describe(dir).orElseThrow().startsWith("CPU 0/TCG (tid 7, state S): waiting for a "
                + "FUSE request"), HostThreadWaits.describe(dir).orElseThrow());
    }

    @Test
    void saysSoWhenNothingIsBlocked() throws Exception {
        thread(1, "qemu-system-x86", "S", "do_epoll_wait", "");
        assertEquals(Optional.of("no thread is blocked in the kernel"), HostThreadWaits.describe(dir));
        assertEquals(Optional.empty(), HostThreadWaits.describe(dir.resolve("gone")));
    }

    @Test
    void readsARealProcessBlockedOnAPipe() throws Exception {
        // cat on a pipe nobody writes to: sleeps in pipe_read (a non-idle wait channel), so it is named.
        Process cat = new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String waits = "";
            for (int i = 0; i < 100 && !waits.contains("pipe"); i++) {
                Thread.sleep(20);
                waits = HostThreadWaits.describe(cat.pid()).orElseThrow();
            }
            // The channel is pipe_read or anon_pipe_read, depending on the kernel.
            assertTrue(waits.matches("cat \\(tid " + cat.pid() + ", state S\\): waiting on a pipe or socket \\[\\w*pipe_read]"),
                    waits);
        } finally {
            cat.destroy();
            cat.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
