package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.internal.GuestSerialLine.FrameSample;

/** /proc stat parsing, per-thread CPU, and the guest frame rate taken from its STAT lines. */
class CpuClocksTest {

    @Test
    void utimePlusStimeFromAStatLineWhoseNameHasSpacesAndParentheses() {
        // Fields after comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String line = "4242 (CPU 0/TCG) (x)) R 1 4242 4242 0 -1 4194304 100 0 0 0 1234 567 0 0 20 0 1 0 99 0 0";
        assertEquals(new CpuClocks.ProcStat("CPU 0/TCG) (x)", 1234 + 567), CpuClocks.parse(line));
    }

    @Test
    void aBrokenStatLineIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuClocks.parse("no parentheses here"));
        assertTrue(e.getMessage().startsWith("not a /proc stat line"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuClocks.parse("1 (qemu) S 1 2"));
        assertTrue(e.getMessage().contains("utime and stime are fields 14 and 15"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CpuClocks.parse("1 (q) S 1 1 1 0 -1 0 0 0 0 0 x 5 0"));
        assertTrue(e.getMessage().contains("non-numeric utime or stime"), e.getMessage());
    }

    @Test
    void thisJvmsProcessTimeAndThreadTimeAreReadable() throws Exception {
        long tick = CpuClocks.nanosPerTick();
        assertTrue(tick > 0 && tick <= 100_000_000, "tick " + tick);
        // This JVM has no "CPU n/TCG" threads: all of its time counts.
        assertTrue(CpuClocks.qemuDisplayNanos(ProcessHandle.current().pid(), tick) > 0);
        String me = Thread.currentThread().getName();
        Map<Long, Long> before = CpuClocks.threadNanos(me::equals);
        long x = 0;
        for (int i = 0; i < 5_000_000; i++) {
            x += i * 31L ^ x;
        }
        Map<Long, Long> after = CpuClocks.threadNanos(me::equals);
        assertTrue(CpuClocks.elapsed(before, after) > 0, "spinning used CPU (" + x + ")");
        assertEquals(1000L, CpuClocks.elapsed(Map.of(1L, 500L), Map.of(1L, 1000L, 2L, 500L)),
                "a thread born in the window counts from zero");
    }

    @Test
    void guestFrameRateIsTakenBetweenTheStatLinesAroundTheWindow() {
        long s = 1_000_000_000L;
        List<FrameSample> samples = List.of(new FrameSample(0, "anim", 0), new FrameSample(5 * s, "anim", 100),
                new FrameSample(10 * s, "anim", 220), new FrameSample(15 * s, "anim", 320));
        // Window 6..9 s: from the line at 5 s to the one at 10 s.
        assertEquals(24, GuestSerialLine.framesPerSecond(samples, 6 * s, 9 * s), 1e-9);
        // Window 4..16 s: from 0 s to the last line, as none follows the window.
        assertEquals(320 / 15.0, GuestSerialLine.framesPerSecond(samples, 4 * s, 16 * s), 1e-9);
        // Window before any line: from the first line to the first after its end.
        assertEquals(20, GuestSerialLine.framesPerSecond(samples, -3 * s, 4 * s), 1e-9);
        assertTrue(Double.isNaN(GuestSerialLine.framesPerSecond(samples.subList(0, 1), 0, s)), "one line only");
        assertTrue(Double.isNaN(GuestSerialLine.framesPerSecond(List.of(new FrameSample(0, "anim", 900),
                new FrameSample(5 * s, "anim", 10)), 0, 5 * s)), "the counter restarted");
    }
}
