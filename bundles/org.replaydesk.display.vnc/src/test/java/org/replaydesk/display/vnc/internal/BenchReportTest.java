package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;
import org.replaydesk.display.vnc.internal.BenchReport.Row;
import org.replaydesk.display.vnc.internal.BenchReport.Server;
import org.replaydesk.display.vnc.internal.BenchReport.Window;

/** Summing windows into rows, the baseline subtraction, the verdicts, and rewriting only our docs section. */
class BenchReportTest {

    private static final long SECOND = 1_000_000_000L;

    private static BenchReport twoRounds() {
        BenchReport report = new BenchReport();
        report.add(new BenchReport.Baseline("anim", 10, SECOND)); // 10% of a core
        report.add(new BenchReport.Baseline("anim", 10, 3 * SECOND)); // 30%: the mean is 20%
        // Two windows of QEMU and of the relay: rows are sums over seconds, not means of means.
        report.add(new Window("anim", BenchEncoding.ZRLE, Server.QEMU, 10, 10_240_000, 250, 5 * SECOND, 0, 0, 10));
        report.add(new Window("anim", BenchEncoding.ZRLE, Server.RELAY, 10, 5_120_000, 240, 3 * SECOND, 2 * SECOND,
                10, 20));
        report.add(new Window("anim", BenchEncoding.ZRLE, Server.RELAY, 30, 15_360_000, 720, 9 * SECOND,
                6 * SECOND, 20, 50));
        report.add(new Window("anim", BenchEncoding.ZRLE, Server.QEMU, 30, 30_720_000, 750, 15 * SECOND, 0, 50, 80));
        return report;
    }

    @Test
    void rowsSumTheirWindowsAndSubtractQemusNoClientBaseline() {
        BenchReport report = twoRounds();
        report.frameRates((start, end, workload) -> end - start); // 10, 10, 30, 30: mean 20 for each server
        assertEquals(20, report.baselinePercent("anim"), 1e-9);
        List<Row> rows = report.rows();
        assertEquals(2, rows.size());
        Row qemu = rows.get(0);
        assertEquals(Server.QEMU, qemu.server());
        assertEquals(1000, qemu.kilobytesPerSecond(), 1e-9); // 40,960,000 bytes / 40 s / 1024
        assertEquals(25, qemu.updatesPerSecond(), 1e-9);
        assertEquals(50 - 20, qemu.qemuPercent(), 1e-9);
        assertEquals(30, qemu.serverPercent(), 1e-9);
        assertEquals(20, qemu.guestFps(), 1e-9);
        Row relay = rows.get(1);
        assertEquals(500, relay.kilobytesPerSecond(), 1e-9);
        assertEquals(24, relay.updatesPerSecond(), 1e-9);
        assertEquals(30 - 20, relay.qemuPercent(), 1e-9);
        assertEquals(20, relay.relayPercent(), 1e-9);
        assertEquals(30, relay.serverPercent(), 1e-9);

        String table = report.table();
        assertTrue(table.contains("| anim | ZRLE | QEMU VNC | 1000 | 25.0 | 40.0 | 20.0 | 30.0 | - | 30.0 |"), table);
        assertTrue(table.contains("| anim | ZRLE | relay | 500 | 24.0 | 20.8 | 20.0 | 10.0 | 20.0 | 30.0 |"), table);
        String verdicts = report.verdicts();
        assertTrue(verdicts.contains("relay sends 0.50x QEMU's bytes (no more), 0.52x per update"), verdicts);
        assertTrue(verdicts.contains("relay CPU 20.0% (under half a core)"), verdicts);
    }

    @Test
    void unknownFrameRatesAndNoBaselineShowAsDashes() {
        BenchReport report = new BenchReport();
        report.add(new Window("idle", BenchEncoding.RAW, Server.QEMU, 1, 0, 0, 0, 0, 0, 1));
        assertTrue(report.table().contains("| idle | Raw | QEMU VNC | 0.0 | 0.0 | - | - | 0.0 | - | 0.0 |"),
                report.table());
        assertEquals("-", BenchReport.number(Double.NaN));
        assertEquals("0.0", BenchReport.number(-0.01));
        assertEquals("1234", BenchReport.number(1234.4));
    }

    @Test
    void theSectionIsReplacedInPlaceAndTheRestKept() {
        String doc = "# Benchmarks\n\nintro\n\n## Foundation\n\nfoundation table\n\n" + BenchReport.HEADING
                + "\n\nold numbers\nold method\n\n## Later section\n\nlater text\n";
        String section = BenchReport.HEADING + "\n\nnew numbers\n";
        String out = BenchReport.replaceSection(doc, section);
        assertEquals("# Benchmarks\n\nintro\n\n## Foundation\n\nfoundation table\n\n" + BenchReport.HEADING
                + "\n\nnew numbers\n\n## Later section\n\nlater text\n", out);
        assertEquals(out, BenchReport.replaceSection(out, section), "rewriting twice changes nothing");
    }

    @Test
    void theSectionIsAppendedWhenAbsentOrLast() {
        String section = BenchReport.HEADING + "\n\nnumbers\n";
        assertEquals("# B\n\ntext\n\n" + section, BenchReport.replaceSection("# B\n\ntext\n", section));
        assertEquals("# B\n\ntext\n\n" + section, BenchReport.replaceSection("# B\n\ntext", section));
        String last = "# B\n\n" + BenchReport.HEADING + "\n\nold\n";
        assertEquals("# B\n\n" + section, BenchReport.replaceSection(last, section));
    }

    @Test
    void theWholeSectionHasItsHeadingMarkersTableAndMethod() {
        String section = twoRounds().section("Measured now.");
        assertTrue(section.startsWith(BenchReport.HEADING + "\n\n<!-- display-bench:start -->\nMeasured now.\n\n"),
                section);
        assertTrue(section.contains("<!-- display-bench:end -->\n\nMethod:\n"), section);
        assertTrue(section.contains("QEMU display-side CPU with no VNC client (subtracted above): anim 20.0%."),
                section);
    }
}
