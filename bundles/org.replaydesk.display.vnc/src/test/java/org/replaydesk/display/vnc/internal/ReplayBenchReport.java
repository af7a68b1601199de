package org.replaydesk.display.vnc.internal;

import java.util.List;
import java.util.Locale;

/**
 * The record/replay benchmark's results ({@link RecordReplayBenchmark}): one row per workload, as the markdown section
 * {@value #HEADING} of docs/benchmarks.md and as an SVG bar chart of bytes per second. Pure functions of the rows, so
 * that {@code ReplayBenchReportTest} can check them without a VM.
 */
final class ReplayBenchReport {

    static final String HEADING = "## Record/replay vs display traffic (Tables 1 and 3)";

    /** The chart's file name, next to docs/benchmarks.md. */
    static final String CHART = "bench-replay-traffic.svg";

    /** Issue 4's target: at least this many times less traffic than display mode at JPEG quality 6. */
    static final double TRAFFIC_TARGET = 10;

    /** Issue 4's target for the pause a snapshot causes. */
    static final double STALL_TARGET_SECONDS = 0.35;

    /** Workloads the traffic target applies to (steady-state animation and video). */
    static final List<String> TRAFFIC_TARGET_WORKLOADS = List.of("anim", "video");

    /**
     * One workload's measurements, all from one recording VM in one run.
     *
     * @param windowSeconds wall length of the steady-state window
     * @param q6BytesPerSecond what the Tight JPEG quality 6 viewer read from the relay per wall second
     * @param q6UpdatesPerSecond its FramebufferUpdates per wall second
     * @param losslessBytesPerSecond the same for the Tight lossless viewer
     * @param losslessUpdatesPerSecond its updates per wall second
     * @param logBytesPerSecond growth of the recorder's log file
     * @param wireBytesPerSecond what the record-log subscriber read from its socket (zlib on)
     * @param guestFps frames the guest drew per wall second in the window, NaN if unknown
     * @param keysPerSecond keys sent over QMP per wall second, 0 when none
     * @param stallSeconds how long the successful savevm before the window paused the guest
     * @param savevmAttempts savevm commands sent until one was accepted
     * @param laterStallSeconds the same for the newer snapshot taken after the window
     * @param laterSavevmAttempts its savevm commands
     * @param snapshotBytes size of the qcow2 holding the snapshot
     * @param firstJoinBytes chunk bytes a client with an empty cache fetched reading that qcow2 whole
     * @param repeatJoinBytes chunk bytes fetched reading the newer snapshot's qcow2 whole through the cache the
     *        first join filled
     * @param recordSeconds recorder wall time from the end of the savevm to the window's end
     * @param replaySeconds replayer wall time from launch (loadvm included) to the break at the window's end, NaN if
     *        the replay failed
     * @param identical whether the replayer's screendump at the break equals the recorder's at that icount
     * @param note what went wrong or what to know, "" for nothing
     */
    record Row(String workload, double windowSeconds, double q6BytesPerSecond, double q6UpdatesPerSecond,
            double losslessBytesPerSecond, double losslessUpdatesPerSecond, double logBytesPerSecond,
            double wireBytesPerSecond, double guestFps, double keysPerSecond, double stallSeconds, int savevmAttempts,
            double laterStallSeconds, int laterSavevmAttempts, long snapshotBytes, long firstJoinBytes, long repeatJoinBytes, double recordSeconds, double replaySeconds,
            boolean identical, String note) {

        /** @return the longer of the two snapshots' stalls */
        double worstStallSeconds() {
            return Math.max(stallSeconds, laterStallSeconds);
        }

        /** @return display (JPEG q6) bytes per replay (log wire) byte; infinite when the log sent nothing */
        double q6Ratio() {
            return ratio(q6BytesPerSecond, wireBytesPerSecond);
        }

        /** @return display (lossless) bytes per replay (log wire) byte */
        double losslessRatio() {
            return ratio(losslessBytesPerSecond, wireBytesPerSecond);
        }

        /**
         * @return seconds after which a replay client has moved fewer bytes than a q6 display client (initial
         *         transfer / (display rate − log rate)); infinite when display mode is not the more expensive one
         */
        double breakEvenSeconds() {
            return breakEven(firstJoinBytes, q6BytesPerSecond, wireBytesPerSecond);
        }

        /** @return replay wall time / record wall time for the same interval; below 1 is faster than live */
        double replayOverRecord() {
            return replaySeconds / recordSeconds;
        }
    }

    static double ratio(double display, double replay) {
        if (replay <= 0) {
            return display > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        return display / replay;
    }

    static double breakEven(long initialBytes, double displayBytesPerSecond, double replayBytesPerSecond) {
        double saved = displayBytesPerSecond - replayBytesPerSecond;
        return saved <= 0 ? Double.POSITIVE_INFINITY : initialBytes / saved;
    }

    private ReplayBenchReport() {
    }

    /**
     * @param rows one per workload, in run order
     * @return the markdown table
     */
    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| workload | display q6 KB/s (updates/s) | display lossless KB/s (updates/s) | log growth KB/s "
                + "| replay log wire KB/s | q6 / log | lossless / log | snapshot stalls s (attempts), before and after "
                + "| first join MB | repeat join MB | break-even vs q6 | replay / record time | identical |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            b.append("| ").append(r.workload());
            if (r.keysPerSecond() > 0) {
                b.append(String.format(Locale.ROOT, " (%.1f keys/s)", r.keysPerSecond()));
            } else if (!Double.isNaN(r.guestFps())) {
                b.append(String.format(Locale.ROOT, " (%.1f fps)", r.guestFps()));
            }
            b.append(" | ").append(kb(r.q6BytesPerSecond())).append(" (").append(BenchReport.number(
                    r.q6UpdatesPerSecond())).append(')');
            b.append(" | ").append(kb(r.losslessBytesPerSecond())).append(" (").append(BenchReport.number(
                    r.losslessUpdatesPerSecond())).append(')');
            b.append(" | ").append(kb(r.logBytesPerSecond()));
            b.append(" | ").append(kb(r.wireBytesPerSecond()));
            b.append(" | ").append(times(r.q6Ratio()));
            b.append(" | ").append(times(r.losslessRatio()));
            b.append(" | ").append(String.format(Locale.ROOT, "%.2f (%d), %.2f (%d)", r.stallSeconds(),
                    r.savevmAttempts(), r.laterStallSeconds(), r.laterSavevmAttempts()));
            b.append(" | ").append(mb(r.firstJoinBytes()));
            b.append(" | ").append(mb(r.repeatJoinBytes()));
            b.append(" | ").append(seconds(r.breakEvenSeconds()));
            b.append(" | ").append(Double.isNaN(r.replaySeconds()) ? "failed" : String.format(Locale.ROOT,
                    "%.2fx (%.1f / %.1f s)", r.replayOverRecord(), r.replaySeconds(), r.recordSeconds()));
            b.append(" | ").append(Double.isNaN(r.replaySeconds()) ? "-" : r.identical() ? "yes" : "**no**");
            b.append(" |\n");
        }
        return b.toString();
    }

    /**
     * @param rows one per workload
     * @return one line per target and workload it applies to: met or missed, with the number
     */
    static String verdicts(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            if (TRAFFIC_TARGET_WORKLOADS.contains(r.workload())) {
                double q6 = r.q6Ratio();
                b.append(String.format(Locale.ROOT, "- %s: replay moves %s less than display mode at q6 in steady "
                        + "state (target >= %.0fx): %s%n", r.workload(), times(q6), TRAFFIC_TARGET,
                        q6 >= TRAFFIC_TARGET ? "met" : "**missed**"));
            }
        }
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "- %s: snapshot stall up to %.2f s (target < %.2f s): %s%n",
                    r.workload(), r.worstStallSeconds(), STALL_TARGET_SECONDS,
                    r.worstStallSeconds() < STALL_TARGET_SECONDS ? "met" : "**missed**"));
        }
        for (Row r : rows) {
            if (!r.note().isEmpty()) {
                b.append("- ").append(r.workload()).append(": ").append(r.note()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * @param header who/when/how, ending with the reproduce line
     * @param rows one per workload
     * @return the whole section, heading included
     */
    static String section(String header, List<Row> rows) {
        return HEADING + "\n\n<!-- replay-bench:start -->\n" + header.strip() + "\n\n" + table(rows) + "\n"
                + "![bytes per second per workload: display q6, display lossless, replay log wire](" + CHART + ")\n\n"
                + verdicts(rows) + "<!-- replay-bench:end -->\n\n" + METHOD;
    }

    static final String METHOD = """
            Method:
            - One recording QEMU, the QEMU driver's record command line (`-icount shift=auto,rr=record`, `-rtc
              clock=vm`, the disk through blkreplay, a qcow2 overlay on the guest's `video.raw`), switched between
              workloads at run time (`wl X` on its serial line). For each workload: warm-up, `savevm` over QMP with
              the record/replay retry (stall = the accepted attempt), the previous workload's snapshot deleted, a
              copy of the qcow2 taken (it holds this one snapshot), then the steady-state window, then a newer
              snapshot of the same workload (second stall), its predecessor deleted and the qcow2 copied again.
            - Display: the real relay (Raw from QEMU's VNC unix socket) with two benchmark viewers connected all run
              long, Tight JPEG quality level 6 and Tight lossless: bytes read from the socket and updates decoded per
              wall second in the window.
            - Replay: the live log published by the real record-log server (poll 5 ms, heartbeat 100 ms) and read by
              the real subscriber with zlib on (as shipped); log growth = the file's growth, wire = bytes the
              subscriber read from its socket, both per wall second in the window.
            - Snapshots: each copy imported into a real chunk store (64 KiB chunks) served by a ChunkServer on
              loopback; first join = bytes on the wire (chunks compressed, pager protocol 2) a RemoteImage fetched
              reading the qcow2 whole into an empty cache
              (loadvm reads ~98% of it, native-hooks/README.md); repeat join = the same for the newer snapshot of the
              same workload through the cache the first join filled (only new chunks move). The base image
              (`video.raw`, the frames `video` reads) is not in these numbers: a `video` replay reads the frames it
              shows from it, at most the whole file, the other workloads read nothing from disk; not measured.
            - Break-even = first join bytes / (display q6 B/s − log wire B/s): how long a session must last before
              replay mode has moved fewer bytes than display mode.
            - Replay speed: after the recorder quit, each window is replayed from its snapshot (a copy of the
              qcow2, `rr=replay,rrsnapshot=`, the streamed log with its END header) with `replay-break` at the icount
              where the recorder was stopped at the window's end; replay time = launch (loadvm included) to the
              break, record time = end of the savevm to that stop. The replayer's screendump at the break must equal
              the recorder's taken at that icount (byte-identical PPM), else the row says no and does not count.
              Faster settings were not tried: `shift=auto,sleep=off` is rejected by QEMU and fixed shifts were slower
              (../shared/docs/qemu-rr/REPORT-2.md, Q2).
            - Record slowdown: see "Foundation" above (icount without record / record = 1.11x for unthrottled anim).
            """;

    /**
     * Bars per workload on a log scale: display q6, display lossless, replay log wire (bytes per second).
     *
     * @param rows one per workload
     * @return an SVG document
     */
    static String svg(List<Row> rows) {
        String[] names = {"display Tight JPEG q6", "display Tight lossless", "replay log (wire, zlib)"};
        String[] colours = {"#d95f02", "#7570b3", "#1b9e77"};
        int left = 70;
        int top = 40;
        int plotHeight = 260;
        int groupWidth = 150;
        int bar = 36;
        int width = left + Math.max(1, rows.size()) * groupWidth + 20;
        int height = top + plotHeight + 90;
        // Decades from 100 B/s to the first power of ten above the largest value.
        double max = 1;
        for (Row r : rows) {
            for (double v : values(r)) {
                if (v > max) {
                    max = v;
                }
            }
        }
        int lowDecade = 2;
        int highDecade = Math.max(lowDecade + 1, (int) Math.ceil(Math.log10(max)));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width,
                height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">"
                + "Bytes per second per workload, display mode vs replay mode (log scale)</text>%n", left));
        for (int d = lowDecade; d <= highDecade; d++) {
            double y = y(Math.pow(10, d), lowDecade, highDecade, top, plotHeight);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, y, width - 20, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6,
                    y + 4, bytesLabel(Math.pow(10, d))));
        }
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double[] v = values(r);
            int x0 = left + i * groupWidth + (groupWidth - 3 * bar) / 2;
            for (int k = 0; k < 3; k++) {
                double value = Math.max(v[k], Math.pow(10, lowDecade));
                double y = y(value, lowDecade, highDecade, top, plotHeight);
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                        + "fill=\"%s\"><title>%s %s: %s/s</title></rect>%n", x0 + k * bar, y, bar - 4,
                        top + plotHeight - y, colours[k], escape(r.workload()), names[k], bytesLabel(v[k])));
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
                        + "font-size=\"10\">%s</text>%n", x0 + k * bar + (bar - 4) / 2, y - 3, bytesLabel(v[k])));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    left + i * groupWidth + groupWidth / 2, top + plotHeight + 18, escape(r.workload())));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left,
                top + plotHeight, width - 20, top + plotHeight));
        for (int k = 0; k < 3; k++) {
            int y = top + plotHeight + 40 + k * 16;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    left, y - 10, colours[k]));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left + 18, y, names[k]));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static double[] values(Row r) {
        return new double[] {r.q6BytesPerSecond(), r.losslessBytesPerSecond(), r.wireBytesPerSecond()};
    }

    private static double y(double value, int lowDecade, int highDecade, int top, int plotHeight) {
        double f = (Math.log10(value) - lowDecade) / (highDecade - lowDecade);
        return top + plotHeight * (1 - Math.min(1, Math.max(0, f)));
    }

    /** @return e.g. "100 B", "3.4 KB", "12 MB" (decimal units, as the table's KB) */
    static String bytesLabel(double bytes) {
        if (bytes < 1000) {
            return String.format(Locale.ROOT, "%.0f B", bytes);
        }
        if (bytes < 1e6) {
            return BenchReport.number(bytes / 1e3) + " KB";
        }
        return BenchReport.number(bytes / 1e6) + " MB";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String kb(double bytesPerSecond) {
        return BenchReport.number(bytesPerSecond / 1000);
    }

    private static String mb(long bytes) {
        return BenchReport.number(bytes / 1e6);
    }

    static String times(double ratio) {
        if (Double.isNaN(ratio)) {
            return "-";
        }
        if (Double.isInfinite(ratio)) {
            return "∞";
        }
        return BenchReport.number(ratio) + "x";
    }

    static String seconds(double s) {
        if (Double.isInfinite(s)) {
            return "never";
        }
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600);
        }
        if (s >= 120) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.0f s", s);
    }

    /** Replaces this benchmark's section of docs/benchmarks.md (or appends it), keeping the others. */
    static String replaceSection(String document, String section) {
        return BenchReport.replaceSection(document, HEADING, section);
    }
}
