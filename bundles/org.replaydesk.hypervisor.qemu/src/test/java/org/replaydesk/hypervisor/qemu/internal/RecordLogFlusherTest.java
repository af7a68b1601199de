package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VmSpec;

class RecordLogFlusherTest {
    private static final Path LIB = Path.of("/opt/rd/native/librrflush.so");
    private static final Path LOG = Path.of("/s/vms/demo/record.log");

    @Test
    void recorderGetsThePreloadTheLogPathAndTheInterval() {
        RecordLogFlusher flusher = new RecordLogFlusher(Optional.of(LIB), 10, p -> true);
        assertEquals(Map.of("LD_PRELOAD", "/opt/rd/native/librrflush.so",
                "RD_RRFLUSH_FILE", "/s/vms/demo/record.log",
                "RD_RRFLUSH_MS", "10"), flusher.environment(RecordReplayMode.RECORD, LOG, null));
    }

    @Test
    void anInheritedPreloadIsKeptAndOursAppended() {
        RecordLogFlusher flusher = new RecordLogFlusher(Optional.of(LIB), 25, p -> true);
        Map<String, String> env = flusher.environment(RecordReplayMode.RECORD, LOG, "/usr/lib/libfoo.so ");
        assertEquals("/usr/lib/libfoo.so /opt/rd/native/librrflush.so", env.get("LD_PRELOAD"));
        assertEquals("25", env.get("RD_RRFLUSH_MS"));
        assertEquals(LIB.toString(), flusher.environment(RecordReplayMode.RECORD, LOG, " ").get("LD_PRELOAD"));
    }

    @Test
    void replayersAndPlainVmsGetNothing() {
        RecordLogFlusher flusher = new RecordLogFlusher(Optional.of(LIB), 10, p -> true);
        assertEquals(Map.of(), flusher.environment(RecordReplayMode.REPLAY, LOG, null));
        assertEquals(Map.of(), flusher.environment(RecordReplayMode.NONE, LOG, null));
    }

    @Test
    void replayersGetOnlyTheReplayPacer() {
        Path pacer = Path.of("/opt/rd/native/librrpace.so");
        RecordLogFlusher hooks = new RecordLogFlusher(Optional.of(LIB), 10, p -> true)
                .withReplayPacer(Optional.of(pacer), 500);
        assertEquals(Map.of("LD_PRELOAD", pacer.toString(), "RD_POLL_CAP_US", "500"),
                hooks.environment(RecordReplayMode.REPLAY, LOG, null));
        assertEquals(Map.of("LD_PRELOAD", "/x/other.so " + pacer, "RD_POLL_CAP_US", "500"),
                hooks.environment(RecordReplayMode.REPLAY, LOG, "/x/other.so"));
        assertEquals(LIB.toString(), hooks.environment(RecordReplayMode.RECORD, LOG, null).get("LD_PRELOAD"));
        assertEquals(Map.of(), hooks.environment(RecordReplayMode.NONE, LOG, null));
        assertEquals(Map.of(), new RecordLogFlusher(Optional.of(LIB), 10, p -> !p.equals(pacer))
                .withReplayPacer(Optional.of(pacer), 500).environment(RecordReplayMode.REPLAY, LOG, null));
    }

    @Test
    void disabledOrMissingLibraryGivesNothingAndIsCheckedEachStart() {
        assertEquals(Map.of(), new RecordLogFlusher(Optional.empty(), 10, p -> true)
                .environment(RecordReplayMode.RECORD, LOG, null));
        AtomicInteger checks = new AtomicInteger();
        RecordLogFlusher missing = new RecordLogFlusher(Optional.of(LIB), 10, p -> {
            checks.incrementAndGet();
            return false;
        });
        assertEquals(Map.of(), missing.environment(RecordReplayMode.RECORD, LOG, null));
        assertEquals(Map.of(), missing.environment(RecordReplayMode.RECORD, LOG, null));
        assertEquals(2, checks.get(), "a library installed later is picked up at the next start");
    }

    @Test
    void theFlushedFileIsExactlyTheCommandLinesRrfile() {
        VmPaths paths = new VmPaths(Path.of("/s/vms/demo"), Path.of("/t/rd/demo"));
        List<String> cmd = QemuCommandLine.build("q", VmSpec.builder(VmName.of("demo")).build(), paths,
                Path.of("/k"), Path.of("/i"), Path.of("/d.qcow2"), 0, 18080);
        String icount = cmd.get(cmd.indexOf("-icount") + 1);
        Map<String, String> env = new RecordLogFlusher(Optional.of(LIB), 10, p -> true)
                .environment(RecordReplayMode.RECORD, QemuCommandLine.recordFile(paths), null);
        assertTrue(icount.endsWith(",rrfile=" + env.get("RD_RRFLUSH_FILE")), icount + " vs " + env);
    }

    @Test
    void settingsResolveKarafHomeAndRejectABadInterval() {
        assertEquals(Optional.of(Path.of("/opt/karaf/native/librrflush.so")),
                QemuSettings.rrflushLibrary(QemuSettings.DEFAULT_RRFLUSH_LIBRARY, "/opt/karaf"));
        assertEquals(Optional.of(Path.of("/opt/karaf/lib/x.so")), QemuSettings.rrflushLibrary("lib/x.so", "/opt/karaf"));
        assertEquals(Optional.of(Path.of("/x/y.so")), QemuSettings.rrflushLibrary("/x/y.so", "/opt/karaf"));
        assertEquals(Optional.empty(), QemuSettings.rrflushLibrary("", "/opt/karaf"));
        assertEquals(Optional.empty(), QemuSettings.rrflushLibrary("  ", "/opt/karaf"));
        Path p = Path.of("/tmp");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QemuSettings("q", "qi",
                p, p, p, 0, 0, Duration.ofSeconds(5), Optional.empty(), 0));
        assertTrue(e.getMessage().contains("rrflush.interval.ms=0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new QemuSettings("q", "qi", p, p, p, 0, 0,
                Duration.ofSeconds(5), Optional.empty(), 1001));
    }
}
