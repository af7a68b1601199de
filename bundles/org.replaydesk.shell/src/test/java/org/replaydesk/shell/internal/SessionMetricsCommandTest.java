package org.replaydesk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.session.ModeRequest;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.PolicyInfo;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.api.session.SessionService;

/** {@code desk:session-metrics} over a fixed SessionService and clock, output captured. */
class SessionMetricsCommandTest {

    private static final Instant TAKEN = Instant.parse("2026-12-07T10:15:30.250Z");
    /** The command's clock: 750 ms after the snapshot was taken. */
    private static final Clock NOW = Clock.fixed(TAKEN.plusMillis(750), ZoneOffset.UTC);

    /** s1 in replay with every kind of value: measured and estimated rates, a lag, a failed switch, NaN CPU. */
    private static final SessionMetrics REPLAYING = SessionMetrics.builder()
            .session("s1").now(TAKEN).mode(SessionMode.REPLAY).timeInMode(Duration.ofSeconds(95))
            .window(Duration.ofSeconds(20))
            .display(51_200, false).replay(12_345.5, true)
            .logBytesPerSecond(8_000).chunkBytesPerSecond(4_345.5)
            .replayLag(Duration.ofMillis(120)).logBufferFull(false)
            .lastFailedSwitch(Instant.parse("2026-12-07T09:00:00Z"))
            .clientCpuLoad(Double.NaN).roundTrip(Duration.ofNanos(812_000))
            .input(14, Duration.ofSeconds(10)).framesPerSecondAfterInput(23.25)
            .vmCpuLoad(0.93).vmNetworkBytesPerSecond(Double.NaN).viewers(1)
            .build();

    /** s2 in display: no replayer, never failed, silent display (the ratio is infinite). */
    private static final SessionMetrics DISPLAYING = SessionMetrics.builder()
            .session("s2").now(TAKEN).mode(SessionMode.DISPLAY).timeInMode(Duration.ofMinutes(3).plusSeconds(5))
            .display(0, true).replay(1_500, false).logBytesPerSecond(1_500)
            .clientCpuLoad(0.375).vmCpuLoad(0).vmNetworkBytesPerSecond(2_048)
            .build();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalOut;

    @BeforeEach
    void captureOut() {
        originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOut() {
        System.setOut(originalOut);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    /** s1 and s2 have metrics, s3 is open but has not ticked; any other id is NOT_FOUND as the session bundle says. */
    private static SessionService service() {
        Map<String, SessionMetrics> metrics = Map.of("s1", REPLAYING, "s2", DISPLAYING);
        return new SessionService() {
            @Override
            public Optional<SessionMetrics> metrics(String id) {
                if (metrics.containsKey(id)) {
                    return Optional.of(metrics.get(id));
                }
                if ("s3".equals(id)) {
                    return Optional.empty();
                }
                throw ReplayDeskException.notFound("no session '" + id + "' (open: s1, s2, s3)");
            }

            @Override
            public SessionInfo open(String vm, String client) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<SessionInfo> sessions() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<SessionInfo> session(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public SessionInfo setMode(String id, ModeRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<ModeSwitch> history(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<PolicyInfo> policies() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void setPolicy(String name) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static SessionMetricsCommand command(String session, boolean noFormat) {
        SessionMetricsCommand cmd = new SessionMetricsCommand();
        cmd.sessions = service();
        cmd.session = session;
        cmd.noFormat = noFormat;
        cmd.clock = NOW;
        return cmd;
    }

    @Test
    void noFormatIsNameTabValueWithRawNumbersAndNaN() {
        command("s1", true).execute();
        assertEquals("""
                session\ts1
                now\t2026-12-07T10:15:30.250Z
                age\t750
                mode\tREPLAY
                timeInMode\t95000
                window\t20000
                displayBytesPerSecond\t51200
                displayMeasured\tfalse
                replayBytesPerSecond\t12345.5
                replayMeasured\ttrue
                logBytesPerSecond\t8000
                chunkBytesPerSecond\t4345.5
                replayLag\t120
                logBufferFull\tfalse
                timeInDual\t0
                lastFailedSwitch\t2026-12-07T09:00:00Z
                clientCpuLoad\tNaN
                roundTrip\t0.812
                inputEvents\t14
                inputWindow\t10000
                framesPerSecondAfterInput\t23.25
                vmCpuLoad\t0.93
                vmNetworkBytesPerSecond\tNaN
                viewers\t1
                replayToDisplayRatio\t0.241123046875
                """, output());
    }

    @Test
    void noFormatMarksAbsentValuesAndKeepsInfinity() {
        command("s2", true).execute();
        String text = output();
        assertTrue(text.contains("\nreplayLag\t-\n"), text);
        assertTrue(text.contains("\nlastFailedSwitch\t-\n"), text);
        assertTrue(text.contains("\nreplayToDisplayRatio\tInfinity\n"), text);
        assertTrue(text.contains("\nvmCpuLoad\t0\n"), text);
        assertTrue(text.contains("\ntimeInMode\t185000\n"), text);
        // Every line parses as name<TAB>value, as scripts and the itests read it.
        for (String line : text.split("\n")) {
            assertEquals(2, line.split("\t", -1).length, line);
        }
    }

    @Test
    void tableShowsEveryValueWithItsUnitAndUnknownForNaN() {
        command("s1", false).execute();
        String text = output();
        assertTrue(text.startsWith("Metric"), text);
        assertRow(text, "age", "750.0 ms");
        assertRow(text, "mode", "REPLAY");
        assertRow(text, "timeInMode", "1m35s");
        assertRow(text, "window", "20.0 s");
        assertRow(text, "displayBytesPerSecond", "50.0 KiB/s");
        assertRow(text, "replayBytesPerSecond", "12.1 KiB/s");
        assertRow(text, "replayLag", "120.0 ms");
        assertRow(text, "lastFailedSwitch", "2026-12-07T09:00:00Z");
        assertRow(text, "clientCpuLoad", "unknown");
        assertRow(text, "roundTrip", "0.8 ms");
        assertRow(text, "inputEvents", "14 events");
        assertRow(text, "framesPerSecondAfterInput", "23.3 frames/s");
        assertRow(text, "vmCpuLoad", "0.93 cores");
        assertRow(text, "vmNetworkBytesPerSecond", "unknown");
        assertRow(text, "replayToDisplayRatio", "0.24");
        assertEquals(25, text.lines().filter(l -> l.contains(" | ")).count() - 1, "one row per value plus the header");
    }

    @Test
    void tableSaysWhatAnAbsentValueMeans() {
        command("s2", false).execute();
        String text = output();
        assertRow(text, "replayLag", "none (no replayer)");
        assertRow(text, "lastFailedSwitch", "never");
        assertRow(text, "clientCpuLoad", "0.38 of all cores");
        assertRow(text, "vmNetworkBytesPerSecond", "2.0 KiB/s");
        assertRow(text, "replayToDisplayRatio", "infinite");
        assertRow(text, "timeInMode", "3m05s");
        assertRow(text, "timeInDual", "0 s");
    }

    @Test
    void aSessionThatHasNotTickedSaysSo() {
        command("s3", false).execute();
        assertEquals("Session s3 has no metrics yet: its first tick takes them, about a second after it opened\n",
                output());
    }

    @Test
    void anUnknownSessionIsNotFoundAndNamed() {
        ReplayDeskException e = assertThrows(ReplayDeskException.class, command("s9", false)::execute);
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().contains("no session 's9'"), e.getMessage());
        assertEquals("", output());
    }

    @Test
    void withoutTheSessionServiceItNamesTheFeature() {
        SessionMetricsCommand cmd = command("s1", false);
        cmd.sessions = null;
        ReplayDeskException e = assertThrows(ReplayDeskException.class, cmd::execute);
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("feature:install replaydesk-session"), e.getMessage());
    }

    /** Asserts the table has a row {@code name | value} (ShellTable pads the name column). */
    private static void assertRow(String table, String name, String value) {
        assertTrue(table.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(name) + " +\\| "
                + java.util.regex.Pattern.quote(value) + " *")), "no row " + name + " | " + value + " in\n" + table);
    }
}
