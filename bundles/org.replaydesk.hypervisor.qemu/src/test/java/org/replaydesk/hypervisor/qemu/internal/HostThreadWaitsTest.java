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

    /** The kernel stack of a QEMU 7.2 vCPU faulting on a page of an rdfuse-served memory image (Linux 6.1). */
    private static final String FUSE_FAULT_STACK = """
            [<0>] folio_wait_bit_common+0x13d/0x350
            [<0>] filemap_fault+0x5b2/0x9f0
            [<0>] __do_fault+0x31/0x130
            [<0>] do_fault+0x1b3/0x410
            [<0>] __handle_mm_fault+0x660/0xfa0
            [<0>] handle_mm_fault+0xdb/0x2d0
            [<0>] do_user_addr_fault+0x191/0x570
            [<0>] exc_page_fault+0x70/0x170
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
        thread(100, "qemu-system-x86", "S", "do_sys_poll", "");
        thread(101, "call_rcu", "S", "futex_wait_queue", "");
        thread(102, "CPU 0/TCG", "D", "folio_wait_bit_common", FUSE_FAULT_STACK);
        thread(103, "worker", "R", "0", "");
        String waits = HostThreadWaits.describe(dir).orElseThrow();
        assertEquals("CPU 0/TCG (tid 102, state D): page fault on a file mapping, waiting for the page to be read "
                + "(guest RAM mapped from a FUSE-backed snapshot memory image: a chunk that has not arrived) "
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
