package org.replaydesk.shell.internal;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionService;

/**
 * Shows a session's latest {@link SessionMetrics}: every number its mode-switching policy is handed, by the name a
 * policy reads it under, so an operator can see why a policy decided as it did and a policy author what the policy
 * will see. The snapshot's age tells how fresh it is (a tick blocks while a switch runs, so during a snapshot it
 * grows).
 */
@Command(scope = "desk", name = "session-metrics",
        description = "Shows the metrics a session's mode-switching policy sees: every SessionMetrics value with its "
                + "unit, and how old the snapshot is")
@Service
public class SessionMetricsCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Argument(index = 0, name = "session", required = true, description = "A session id (desk:session-list)")
    String session;

    @Option(name = "--no-format", description = "name<TAB>value lines with raw numbers: rates in bytes per second, "
            + "durations in milliseconds, instants in ISO-8601, NaN when unknown, - when absent")
    boolean noFormat;

    /** What the snapshot's age is measured against; the session service stamps snapshots with the system clock. */
    Clock clock = Clock.systemUTC();

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        Optional<SessionMetrics> metrics = sessions.metrics(session);
        if (metrics.isEmpty()) {
            System.out.println("Session " + session + " has no metrics yet: its first tick takes them, about a second "
                    + "after it opened");
            return null;
        }
        List<String[]> rows = rows(metrics.get());
        if (noFormat) {
            rows.forEach(r -> System.out.println(r[0] + "\t" + r[1]));
        } else {
            ShellTable table = new ShellTable();
            table.column("Metric");
            table.column("Value");
            rows.forEach(r -> table.addRow().addContent((Object[]) r));
            table.print(System.out);
        }
        return null;
    }

    /** One row per value, in the record's order: its name, then its value as {@code --no-format} asks. */
    private List<String[]> rows(SessionMetrics m) {
        // The same clock stamped the snapshot, so a negative age can only be rounding: show it as zero.
        Duration age = Duration.between(m.now(), clock.instant());
        List<String[]> rows = new ArrayList<>();
        rows.add(row("session", m.session()));
        rows.add(row("now", m.now().toString()));
        rows.add(row("age", duration(age.isNegative() ? Duration.ZERO : age)));
        rows.add(row("mode", m.mode().name()));
        rows.add(row("timeInMode", duration(m.timeInMode())));
        rows.add(row("window", duration(m.window())));
        rows.add(row("displayBytesPerSecond", byteRate(m.displayBytesPerSecond())));
        rows.add(row("displayMeasured", Boolean.toString(m.displayMeasured())));
        rows.add(row("replayBytesPerSecond", byteRate(m.replayBytesPerSecond())));
        rows.add(row("replayMeasured", Boolean.toString(m.replayMeasured())));
        rows.add(row("logBytesPerSecond", byteRate(m.logBytesPerSecond())));
        rows.add(row("chunkBytesPerSecond", byteRate(m.chunkBytesPerSecond())));
        rows.add(row("replayLag", m.replayLag().map(this::duration).orElse(absent("none (no replayer)"))));
        rows.add(row("logBufferFull", Boolean.toString(m.logBufferFull())));
        rows.add(row("timeInDual", duration(m.timeInDual())));
        rows.add(row("lastFailedSwitch", m.lastFailedSwitch().map(Instant::toString).orElse(absent("never"))));
        rows.add(row("clientCpuLoad", number(m.clientCpuLoad(), "%.2f of all cores")));
        rows.add(row("roundTrip", duration(m.roundTrip())));
        rows.add(row("inputEvents", noFormat ? Integer.toString(m.inputEvents()) : m.inputEvents() + " events"));
        rows.add(row("inputWindow", duration(m.inputWindow())));
        rows.add(row("framesPerSecondAfterInput", number(m.framesPerSecondAfterInput(), "%.1f frames/s")));
        rows.add(row("vmCpuLoad", number(m.vmCpuLoad(), "%.2f cores")));
        rows.add(row("vmNetworkBytesPerSecond", byteRate(m.vmNetworkBytesPerSecond())));
        rows.add(row("viewers", Integer.toString(m.viewers())));
        // Not a field but what most policies compare: derived from the two traffic rates above.
        rows.add(row("replayToDisplayRatio", number(m.replayToDisplayRatio(), "%.2f")));
        return rows;
    }

    private static String[] row(String name, String value) {
        return new String[] {name, value};
    }

    /** A byte rate: "12.3 KiB/s", or the raw bytes per second with {@code --no-format}. */
    private String byteRate(double bytesPerSecond) {
        if (noFormat || !Double.isFinite(bytesPerSecond)) {
            return number(bytesPerSecond, null);
        }
        return Formats.bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /**
     * A number as {@code format} shows it for people, or raw with {@code --no-format}: exactly the double the policy
     * sees (shortest form, never an exponent, so scripts and {@code Double.parseDouble} read it alike). NaN is
     * "unknown" for people and {@code NaN} raw; infinities "infinite" and {@code Infinity}.
     */
    private String number(double value, String format) {
        if (Double.isNaN(value)) {
            return noFormat ? "NaN" : "unknown";
        }
        if (Double.isInfinite(value)) {
            return noFormat ? Double.toString(value) : (value > 0 ? "" : "-") + "infinite";
        }
        if (noFormat) {
            return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, format, value);
    }

    /** A duration: "0 s", "850.0 ms", "12.5 s", "3m05s", or milliseconds (with a fraction if any) with {@code --no-format}. */
    private String duration(Duration d) {
        if (noFormat) {
            return BigDecimal.valueOf(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString();
        }
        if (d.isZero()) {
            return "0 s";
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
        }
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
        }
        return Formats.duration(d);
    }

    /** An absent optional value: {@code -} raw, else what its absence means. */
    private String absent(String meaning) {
        return noFormat ? "-" : meaning;
    }
}
