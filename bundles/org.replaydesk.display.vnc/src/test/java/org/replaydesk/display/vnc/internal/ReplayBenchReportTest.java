package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** The record/replay benchmark's table, verdicts, chart and section replacement, without a VM. */
class ReplayBenchReportTest {

    /** anim: 450 KB/s at q6, 3.4 MB/s lossless, 3 KB/s on the wire; 90 MB first join. */
    private static final ReplayBenchReport.Row ANIM = new ReplayBenchReport.Row("anim", 10, 450_000, 16.1,
            3_400_000, 8.1, 10_000, 3_000, 24.9, 0, 0.21, 2, 0.25, 1, 91_000_000, 90_000_000, 10_000_000, 12.0, 6.0, true,
            "");

    /** type: display barely above the log, a slow snapshot, a replay that diverged. */
    private static final ReplayBenchReport.Row TYPE = new ReplayBenchReport.Row("type", 10, 20_000, 5.0, 40_000, 5.0,
            9_000, 4_000, Double.NaN, 5.0, 0.20, 1, 0.50, 3, 91_000_000, 90_000_000, 5_000_000, 12.0, Double.NaN, false,
            "the replayer's screen differs");

    /** idle: nothing on either side. */
    private static final ReplayBenchReport.Row IDLE = new ReplayBenchReport.Row("idle", 10, 0, 0, 0, 0, 5_000, 0,
            Double.NaN, 0, 0.10, 1, 0.10, 1, 91_000_000, 90_000_000, 1_000_000, 12.0, 3.0, true, "");

    @Test
    void derivedNumbers() {
        assertEquals(150, ANIM.q6Ratio(), 1e-9);
        assertEquals(3_400_000 / 3_000.0, ANIM.losslessRatio(), 1e-9);
        // 90 MB saved at (450 - 3) KB/s.
        assertEquals(90_000_000 / 447_000.0, ANIM.breakEvenSeconds(), 1e-9);
        assertEquals(0.5, ANIM.replayOverRecord(), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, IDLE.breakEvenSeconds(), "display mode never costs more when idle");
        assertTrue(Double.isNaN(IDLE.q6Ratio()), "0 / 0 has no ratio");
        assertEquals(Double.POSITIVE_INFINITY, ReplayBenchReport.ratio(5, 0));
    }

    @Test
    void tableHasOneRowPerWorkloadWithItsNumbers() {
        String table = ReplayBenchReport.table(List.of(ANIM, TYPE, IDLE));
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), table);
        int columns = lines.get(0).split("\\|", -1).length;
        for (String line : lines) {
            assertEquals(columns, line.split("\\|", -1).length, "every line has the header's columns: " + line);
        }
        assertEquals("| anim (24.9 fps) | 450 (16.1) | 3400 (8.1) | 10.0 | 3.0 | 150x | 1133x | 0.21 (2), 0.25 (1) | 90.0 | 10.0 "
                + "| 3.4 min | 0.50x (6.0 / 12.0 s) | yes |", lines.get(2));
        assertEquals("| type (5.0 keys/s) | 20.0 (5.0) | 40.0 (5.0) | 9.0 | 4.0 | 5.0x | 10.0x | 0.20 (1), 0.50 (3) | 90.0 "
                + "| 5.0 | 1.6 h | failed | - |",
                lines.get(3));
        assertTrue(lines.get(4).startsWith("| idle | 0.0 (0.0) | 0.0 (0.0) | 5.0 | 0.0 | - | - | 0.10 (1), 0.10 (1) "),
                lines.get(4));
        assertTrue(lines.get(4).contains("| never |"), lines.get(4));
    }

    @Test
    void verdictsSayMetOrMissedAgainstIssueFoursTargets() {
        String verdicts = ReplayBenchReport.verdicts(List.of(ANIM, TYPE, IDLE));
        assertTrue(verdicts.contains("- anim: replay moves 150x less than display mode at q6 in steady state "
                + "(target >= 10x): met"), verdicts);
        assertTrue(!verdicts.contains("- type: replay moves"), "the traffic target is for anim and video only");
        assertTrue(verdicts.contains("- anim: snapshot stall up to 0.25 s (target < 0.35 s): met"), verdicts);
        assertTrue(verdicts.contains("- type: snapshot stall up to 0.50 s (target < 0.35 s): **missed**"), verdicts);
        assertTrue(verdicts.contains("- type: the replayer's screen differs"), verdicts);
    }

    @Test
    void chartIsWellFormedSvgWithThreeBarsPerWorkloadOnALogScale() throws Exception {
        String svg = ReplayBenchReport.svg(List.of(ANIM, TYPE, IDLE));
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Matcher bars = Pattern.compile("<rect x=\"\\d+\" y=\"([0-9.]+)\" width=\"32\" height=\"([0-9.]+)\"")
                .matcher(svg);
        double[] heights = new double[9];
        int n = 0;
        while (bars.find()) {
            heights[n++] = Double.parseDouble(bars.group(2));
        }
        assertEquals(9, n, "3 workloads x 3 series");
        // Log scale from 100 B/s to 10 MB/s (5 decades, 260 px): 450 KB/s vs 3 KB/s is 2.18 decades apart.
        assertEquals(260 * Math.log10(450_000 / 3_000.0) / 5, heights[0] - heights[2], 0.2);
        assertEquals(0, heights[8], 1e-9, "0 B/s sits on the axis");
        assertTrue(svg.contains("<title>anim display Tight JPEG q6: 450 KB/s</title>"), svg);
        assertTrue(svg.contains(">10.0 MB</text>"), "the top decade is labelled: " + svg);
    }

    @Test
    void sectionReplacesItselfAndKeepsTheOthers() {
        String doc = "# ReplayDesk benchmarks\n\n## Foundation\n\nfoundation text\n\n" + ReplayBenchReport.HEADING
                + "\n\nold numbers\n\n## Chunk size\n\nchunk text\n";
        String section = ReplayBenchReport.section("Measured now.\nReproduce: `x`.", List.of(ANIM));
        String once = ReplayBenchReport.replaceSection(doc, section);
        assertTrue(!once.contains("old numbers"), once);
        assertTrue(once.contains("foundation text\n\n" + ReplayBenchReport.HEADING + "\n\n<!-- replay-bench:start -->"
                + "\nMeasured now."), once);
        assertTrue(once.contains("](bench-replay-traffic.svg)"), once);
        assertTrue(once.endsWith("## Chunk size\n\nchunk text\n"), once);
        assertEquals(once, ReplayBenchReport.replaceSection(once, section), "a rerun replaces, not appends");
        String appended = ReplayBenchReport.replaceSection("# Title\n", section);
        assertTrue(appended.startsWith("# Title\n\n" + ReplayBenchReport.HEADING), appended);
    }
}
