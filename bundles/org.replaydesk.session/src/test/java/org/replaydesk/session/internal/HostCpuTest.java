package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process's CPU time from its {@code /proc/PID/stat}, as a server reports it to two-host sessions. */
class HostCpuTest {

    @TempDir
    Path tmp;

    @Test
    void utimeAndStimeAreCountedFromTheLastParenthesis() throws IOException {
        // A command name with a space and a ')' of its own; utime 250 and stime 50 ticks, then the children's.
        Path stat = tmp.resolve("stat");
        Files.writeString(stat, "4242 (qemu (x) y) S 1 4242 4242 0 -1 4194560 9000 0 12 0 250 50 7 3 20 0 5 0 "
                + "1000 2000000000 50000\n");
        assertEquals(OptionalLong.of(300), HostCpu.processCpuTicks(stat));
    }

    @Test
    void anUnreadableOrShortStatIsUnknown() throws IOException {
        assertEquals(OptionalLong.empty(), HostCpu.processCpuTicks(tmp.resolve("gone")));
        Path shortStat = tmp.resolve("short");
        Files.writeString(shortStat, "4242 (qemu) S 1 4242\n");
        assertEquals(OptionalLong.empty(), HostCpu.processCpuTicks(shortStat));
        assertEquals(OptionalLong.empty(), HostCpu.processCpuNanos(-1));
    }

    @Test
    void aLiveProcessHasUsedWholeTicksOfCpu() {
        OptionalLong nanos = HostCpu.processCpuNanos(ProcessHandle.current().pid());
        assertTrue(nanos.isPresent() && nanos.getAsLong() > 0, nanos.toString());
        assertEquals(0, nanos.getAsLong() % 10_000_000);
    }
}
