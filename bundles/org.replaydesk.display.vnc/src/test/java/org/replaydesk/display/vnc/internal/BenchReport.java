package org.replaydesk.display.vnc.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;

/**
 * The display benchmark's results: the measuring windows, summed per (workload, encoding, server), as the markdown
 * section of docs/benchmarks.md.
 */
final class BenchReport {

    static final String HEADING = "## Display provider: relay vs QEMU VNC";

    /** Issue 3's budget for the relay: under half a core at 25 fps, 640x480. */
    static final double RELAY_CPU_BUDGET_PERCENT = 50;

    /** Which server the viewer was connected to. */
    enum Server {
        QEMU("QEMU VNC"), RELAY("relay");

        final String label;

        Server(String label) {
            this.label = label;
        }
    }

    /**
     * One measuring window.
     *
     * @param qemuNanos CPU of QEMU's display side (not its vCPU) during the window
     * @param relayNanos CPU of the relay's threads (0 for {@link Server#QEMU})
     * @param startNanos window start ({@link System#nanoTime}), to find the guest's frame rate in it
     * @param endNanos window end
     */
    record Window(String workload, BenchEncoding encoding, Server server, double seconds, long bytes, long updates,
            long qemuNanos, long relayNanos, long startNanos, long endNanos) {
    }

    /** Frames the guest drew per wall second in a window; NaN if unknown. */
    interface FrameRates {
        double framesPerSecond(long startNanos, long endNanos, String workload);
    }

    /** QEMU's display-side CPU with no VNC client connected, for the same length as a window. */
    record Baseline(String workload, double seconds, long qemuNanos) {
    }

    /** One table row: the windows of one (workload, encoding, server) summed. */
    record Row(String workload, BenchEncoding encoding, Server server, double kilobytesPerSecond,
            double updatesPerSecond, double guestFps, double qemuPercent, double relayPercent) {

        /** @return KB per update: bytes/s alone favours the server that sends fewer updates */
        double kilobytesPerUpdate() {
            return updatesPerSecond == 0 ? Double.NaN : kilobytesPerSecond / updatesPerSecond;
        }

        double serverPercent() {
            return qemuPercent + (server == Server.RELAY ? relayPercent : 0);
        }
    }

    private final List<Window> windows = new ArrayList<>();
    private final List<Baseline> baselines = new ArrayList<>();
    private FrameRates frameRates = (start, end, workload) -> Double.NaN;

    /** @param rates where the guest's frame rates come from (read when the report is rendered) */
    void frameRates(FrameRates rates) {
        this.frameRates = rates;
    }

    void add(Window window) {
        windows.add(window);
    }

    void add(Baseline baseline) {
        baselines.add(baseline);
    }

    /** @return QEMU's display-side CPU with no client, % of one core, NaN if not measured */
    double baselinePercent(String workload) {
        double seconds = 0;
        long nanos = 0;
        for (Baseline b : baselines) {
            if (b.workload().equals(workload)) {
                seconds += b.seconds();
                nanos += b.qemuNanos();
            }
        }
        return seconds == 0 ? Double.NaN : nanos / seconds / 1e7;
    }

    /** @return one row per (workload, encoding, server), in the order first measured */
    List<Row> rows() {
        Map<List<Object>, List<Window>> groups = new LinkedHashMap<>();
        for (Window w : windows) {
            groups.computeIfAbsent(List.of(w.workload(), w.encoding(), w.server()), k -> new ArrayList<>()).add(w);
        }
        List<Row> rows = new ArrayList<>();
        for (List<Window> group : groups.values()) {
            Window first = group.get(0);
            double seconds = 0;
            long bytes = 0;
            long updates = 0;
            long qemu = 0;
            long relay = 0;
            double fpsSum = 0;
            int fpsCount = 0;
            for (Window w : group) {
                seconds += w.seconds();
                bytes += w.bytes();
                updates += w.updates();
                qemu += w.qemuNanos();
                relay += w.relayNanos();
                double fps = frameRates.framesPerSecond(w.startNanos(), w.endNanos(), w.workload());
                if (!Double.isNaN(fps)) {
                    fpsSum += fps;
                    fpsCount++;
                }
            }
            double baseline = baselinePercent(first.workload());
            rows.add(new Row(first.workload(), first.encoding(), first.server(), bytes / seconds / 1024,
                    updates / seconds, fpsCount == 0 ? Double.NaN : fpsSum / fpsCount,
                    qemu / seconds / 1e7 - (Double.isNaN(baseline) ? 0 : baseline), relay / seconds / 1e7));
        }
        return rows;
    }

    /** @return the results table in markdown */
    String table() {
        StringBuilder b = new StringBuilder();
        b.append("| workload | encoding | server | KB/s | updates/s | KB/update | guest frames/s | QEMU display CPU % "
                + "| relay CPU % | server CPU % |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows()) {
            b.append("| ").append(r.workload()).append(" | ").append(r.encoding().label).append(" | ")
                    .append(r.server().label).append(" | ").append(number(r.kilobytesPerSecond())).append(" | ")
                    .append(number(r.updatesPerSecond())).append(" | ").append(number(r.kilobytesPerUpdate()))
                    .append(" | ").append(number(r.guestFps())).append(" | ")
                    .append(number(r.qemuPercent())).append(" | ")
                    .append(r.server() == Server.RELAY ? number(r.relayPercent()) : "-").append(" | ")
                    .append(number(r.serverPercent())).append(" |\n");
        }
        return b.toString();
    }

    /** @return per workload and encoding: relay vs QEMU bytes, whether the relay kept up, whether it stayed in budget */
    String verdicts() {
        Map<List<Object>, Row[]> pairs = new LinkedHashMap<>();
        for (Row r : rows()) {
            pairs.computeIfAbsent(List.of(r.workload(), r.encoding()), k -> new Row[2])[r.server().ordinal()] = r;
        }
        StringBuilder b = new StringBuilder();
        for (Row[] pair : pairs.values()) {
            Row qemu = pair[Server.QEMU.ordinal()];
            Row relay = pair[Server.RELAY.ordinal()];
            if (qemu == null || relay == null) {
                continue;
            }
            b.append("- ").append(relay.workload()).append(", ").append(relay.encoding().label).append(": relay sends ");
            if (qemu.kilobytesPerSecond() > 0) {
                double ratio = relay.kilobytesPerSecond() / qemu.kilobytesPerSecond();
                b.append(String.format(Locale.ROOT, "%.2fx", ratio)).append(" QEMU's bytes (")
                        .append(ratio <= 1 ? "no more" : "MORE").append(")");
                if (qemu.updatesPerSecond() > 0 && relay.updatesPerSecond() > 0) {
                    b.append(String.format(Locale.ROOT, ", %.2fx per update",
                            relay.kilobytesPerUpdate() / qemu.kilobytesPerUpdate()));
                }
            } else {
                b.append(number(relay.kilobytesPerSecond())).append(" KB/s, QEMU 0");
            }
            b.append("; ").append(number(relay.updatesPerSecond())).append(" updates/s vs QEMU's ")
                    .append(number(qemu.updatesPerSecond()));
            if (!Double.isNaN(relay.guestFps())) {
                b.append(" for ").append(number(relay.guestFps())).append(" guest frames/s");
            }
            b.append("; relay CPU ").append(number(relay.relayPercent())).append("% (")
                    .append(relay.relayPercent() < RELAY_CPU_BUDGET_PERCENT ? "under" : "OVER")
                    .append(" half a core), whole server side ").append(number(relay.serverPercent()))
                    .append("% vs QEMU's ").append(number(qemu.serverPercent())).append("%\n");
        }
        return b.toString();
    }

    /**
     * @param header lines about the run (date, machine, QEMU, options, command)
     * @return the whole section, heading to method notes, ending with a blank line
     */
    String section(String header) {
        StringBuilder b = new StringBuilder();
        b.append(HEADING).append("\n\n<!-- display-bench:start -->\n").append(header.strip()).append("\n\n");
        b.append(table()).append('\n');
        StringBuilder baselines = new StringBuilder();
        for (String workload : rows().stream().map(Row::workload).distinct().toList()) {
            baselines.append(baselines.length() == 0 ? "" : ", ").append(workload).append(' ')
                    .append(number(baselinePercent(workload))).append('%');
        }
        b.append("QEMU display-side CPU with no VNC client (subtracted above): ").append(baselines).append(".\n\n");
        b.append(verdicts()).append("<!-- display-bench:end -->\n\n");
        b.append(METHOD);
        return b.toString();
    }

    static final String METHOD = """
            Method:
            - One QEMU (the demo guest, 640x480x24, `rd.stats=1` so the guest reports its frames on the serial
              line), one benchmark viewer (`BenchViewer`, built from the codec library's client-side decoders: RFB
              3.8, 32 bpp true colour, one incremental request outstanding, a new one after each update is decoded
              and drawn). The viewer connects either straight to QEMU's VNC unix socket ("QEMU VNC") or to a relay
              in the benchmark's JVM that reads that same socket with Raw ("relay"). Both get the same SetEncodings:
              the encoding, JPEG quality level 6 for "Tight JPEG q6", DesktopSize; no compression level, so each
              server uses its own default. The VM has two VNC displays: QEMU's default one (read by the relay and by
              the lossless QEMU rows) and one with `lossy=on` for the "Tight JPEG q6" QEMU row, as QEMU ignores
              JPEG quality levels without it (lossy=on also enables QEMU's other lossy methods, hence not for all).
            - Per workload and round: a window with no client (QEMU's baseline), then every encoding against both
              servers, QEMU first in odd rounds and the relay first in even ones, so that drift cancels. A window
              starts a few seconds after the viewer's first update (and the relay is started only for its own
              windows, so QEMU never serves two clients at once).
            - KB/s and updates/s: what the viewer read from its socket and decoded, per wall second. A server that
              sends fewer, bigger updates shows fewer KB/s for the same pictures: KB/update is the fairer
              size comparison when the update rates differ.
            - guest frames/s: the guest's frame counter (`STAT:` lines) per wall second around the windows; under
              `-icount` the guest paces itself on virtual time, so on a loaded machine it draws fewer than 25.
            - QEMU display CPU: QEMU's utime+stime (`/proc/PID/stat`) minus its vCPU thread (`CPU 0/TCG`,
              `debug-threads=on`), i.e. main loop, VGA refresh, VNC and its encoder thread, minus the same with no
              client. For "relay" rows it is what QEMU spends serving Raw to the relay.
            - relay CPU: ThreadMXBean CPU of the relay's threads (event loops `vnc-display-*` as in the bundle,
              upstream reader `vnc-upstream-*`); the viewer's thread is left out. JIT compiler and GC threads are not
              counted. server CPU = QEMU display CPU + relay CPU. All CPU figures are % of one core.
            """;

    /**
     * Replaces the section under {@link #HEADING} (up to the next "## " heading) or appends it; the rest is kept.
     *
     * @param document the markdown file's content
     * @param section the new section, from {@link #section}
     * @return the new content
     */
    static String replaceSection(String document, String section) {
        return replaceSection(document, HEADING, section);
    }

    /**
     * Replaces the section under a heading (up to the next "## " heading) or appends it; the rest is kept.
     *
     * @param document the markdown file's content
     * @param heading the section's heading line, e.g. "## Display provider: relay vs QEMU VNC"
     * @param section the new section, heading included
     * @return the new content
     */
    static String replaceSection(String document, String heading, String section) {
        List<String> lines = new ArrayList<>(List.of(document.split("\n", -1)));
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(heading)) {
                start = i;
                break;
            }
        }
        String body = section.endsWith("\n") ? section : section + "\n";
        if (start < 0) {
            String head = document.isEmpty() || document.endsWith("\n\n") ? document
                    : document.endsWith("\n") ? document + "\n" : document + "\n\n";
            return head + body;
        }
        int end = lines.size();
        for (int i = start + 1; i < lines.size(); i++) {
            if (lines.get(i).startsWith("## ")) {
                end = i;
                break;
            }
        }
        String before = String.join("\n", lines.subList(0, start));
        String after = String.join("\n", lines.subList(end, lines.size()));
        return (before.isEmpty() ? "" : before + "\n") + body + (after.isEmpty() ? "" : "\n" + after);
    }

    /** @return one decimal below 100, none above, "-" for unknown */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (Math.abs(value) < 0.05) {
            return "0.0"; // not "-0.0"
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.1f", value);
    }
}
