package org.replaydesk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;

/** {@code desk:display-viewers} and {@code desk:display-stats} over a fixed DisplayService, output captured. */
class DisplayTrafficCommandTest {

    private static final VmName DESK = VmName.of("desk1");

    private static final TrafficStats VIEWER_A = new TrafficStats(Duration.ofSeconds(20), 2048, 12.5,
            Duration.ofSeconds(1), 4096, 25, 3 * 1024 * 1024, 400, Map.of("ZRLE", 3L * 1024 * 1024), 0, 0);
    private static final TrafficStats VIEWER_B = new TrafficStats(Duration.ofSeconds(20), 100, 1,
            Duration.ofSeconds(1), 0, 0, 500, 5, Map.of("Raw", 500L), 0, 0);
    private static final TrafficStats DISPLAY = new TrafficStats(Duration.ofSeconds(20), 2148, 13.5,
            Duration.ofSeconds(1), 4096, 25, 3 * 1024 * 1024 + 500, 405,
            Map.of("ZRLE", 3L * 1024 * 1024, "Raw", 500L), 1_500_000, 30);

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
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final List<String> viewOnlyCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static DisplayService service() {
        return new DisplayService() {
            @Override
            public List<DisplayInfo> displays() {
                return List.of(display(DESK).orElseThrow());
            }

            @Override
            public Optional<DisplayInfo> display(VmName vm) {
                return vm.equals(DESK) ? Optional.of(new DisplayInfo(DESK, new InetSocketAddress("127.0.0.1", 5700),
                        2, 640, 480, true)) : Optional.empty();
            }

            @Override
            public List<ViewerInfo> viewers(VmName vm) {
                return vm.equals(DESK) ? List.of(
                        new ViewerInfo("a1b2c3d4", new InetSocketAddress("127.0.0.1", 40000), "3.8", "ZRLE",
                                "32bpp depth 24 little-endian true colour", false, Instant.EPOCH, VIEWER_A),
                        new ViewerInfo("e5f6a7b8", new InetSocketAddress("10.0.0.7", 40001), "", "Raw",
                                "32bpp depth 24 little-endian true colour", false, Instant.EPOCH, VIEWER_B))
                        : List.of();
            }

            @Override
            public Optional<TrafficStats> stats(VmName vm) {
                return vm.equals(DESK) ? Optional.of(DISPLAY) : Optional.empty();
            }

            @Override
            public DisplayInfo open(VmName display, DisplaySource source, Duration timeout) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close(VmName display) {
                throw new UnsupportedOperationException();
            }

            @Override
            public SourceSwitch switchSource(VmName display, DisplaySource source, Duration timeout) {
                return new SourceSwitch(null, source, Duration.ofMillis(120), Duration.ofMillis(125), 4096,
                        640 * 480);
            }

            @Override
            public void setViewOnly(VmName display, String viewerId, boolean viewOnly) {
                viewOnlyCalls.add(display.value() + " " + viewerId + " " + viewOnly);
            }

            @Override
            public void disconnect(VmName display, String viewerId) {
                throw ReplayDeskException.notFound("display " + display + " has no viewer " + viewerId);
            }

            @Override
            public Optional<org.replaydesk.display.vnc.InteractionStats> interaction(VmName display) {
                return Optional.empty();
            }
        };
    }

    @Test
    void viewersNoFormatIsTabSeparatedWithRawNumbers() {
        DisplayViewersCommand cmd = new DisplayViewersCommand();
        cmd.displays = service();
        cmd.name = "desk1";
        cmd.noFormat = true;
        cmd.execute();
        assertEquals("""
                Viewer\tAddress\tRFB\tEncoding\tInput\tBytes/s\tFrames/s\tTotal
                a1b2c3d4\t127.0.0.1:40000\t3.8\tZRLE\tcontrol\t2048\t12.5\t3145728
                e5f6a7b8\t10.0.0.7:40001\t-\tRaw\tcontrol\t100\t1.0\t500
                """, output().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void viewersTableShowsReadableRates() {
        DisplayViewersCommand cmd = new DisplayViewersCommand();
        cmd.displays = service();
        cmd.name = "desk1";
        cmd.execute();
        String text = output();
        assertTrue(text.contains("Viewer"), text);
        assertTrue(text.contains("2.0 KiB/s"), text);
        assertTrue(text.contains("3.0 MiB"), text);
        assertTrue(text.contains("12.5"), text);
    }

    @Test
    void statsNoFormatListsTotalsEncodingsAndUpstream() {
        DisplayStatsCommand cmd = new DisplayStatsCommand();
        cmd.displays = service();
        cmd.name = "desk1";
        cmd.noFormat = true;
        cmd.execute();
        assertEquals("""
                Metric\tValue
                Viewers\t2
                Bytes/s (20s)\t2148
                Frames/s (20s)\t13.5
                Bytes/s (1s)\t4096
                Frames/s (1s)\t25.0
                Total bytes\t3146228
                Total frames\t405
                Bytes Raw\t500
                Bytes ZRLE\t3145728
                Upstream bytes/s (20s)\t1500000
                Upstream updates/s (20s)\t30.0
                """, output().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void statsTableShowsReadableSizes() {
        DisplayStatsCommand cmd = new DisplayStatsCommand();
        cmd.displays = service();
        cmd.name = "desk1";
        cmd.execute();
        String text = output();
        assertTrue(text.contains("Upstream bytes/s (20s)"), text);
        assertTrue(text.contains("1.4 MiB/s"), text);
        assertTrue(text.contains("Bytes ZRLE"), text);
    }

    @Test
    void aVmWithoutDisplayIsNotFoundWithAHint() {
        DisplayStatsCommand stats = new DisplayStatsCommand();
        stats.displays = service();
        stats.name = "other";
        ReplayDeskException e = assertThrows(ReplayDeskException.class, stats::execute);
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().startsWith("VM other has no open display"), e.getMessage());

        DisplayViewersCommand viewers = new DisplayViewersCommand();
        viewers.displays = service();
        viewers.name = "other";
        assertThrows(ReplayDeskException.class, viewers::execute);
        assertEquals("", output());
    }

    @Test
    void displaySourceParsesItsArgumentAndPrintsTheSwitch() {
        DisplaySourceCommand cmd = new DisplaySourceCommand();
        cmd.displays = service();
        cmd.name = "desk1";
        cmd.source = "unix:/tmp/replayer/vnc.sock";
        cmd.timeoutSeconds = 5;
        cmd.execute();
        assertEquals("display desk1 now shows unix:/tmp/replayer/vnc.sock: resync 120 ms, switch 125 ms, 4096 of "
                + "307200 pixels (1.3%) differed and were resent\n", output().replace(System.lineSeparator(), "\n"));
        assertEquals(DisplaySource.tcp(InetSocketAddress.createUnresolved("server1", 5701), "pw"),
                DisplaySourceCommand.parse("tcp:server1:5701", "pw", null));
        for (String bad : List.of("tcp:server1", "tcp:server1:0", "tcp:server1:x", "unix:", "ftp:x", "vm")) {
            ReplayDeskException e = assertThrows(ReplayDeskException.class,
                    () -> DisplaySourceCommand.parse(bad, null, null));
            assertTrue(e.getMessage().contains(bad.equals("vm") ? "no VM source" : "'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void viewOnlyAndDisconnectNameTheViewer() {
        DisplayViewOnlyCommand viewOnly = new DisplayViewOnlyCommand();
        viewOnly.displays = service();
        viewOnly.name = "desk1";
        viewOnly.viewer = "a1b2c3d4";
        viewOnly.execute();
        viewOnly.off = true;
        viewOnly.execute();
        assertEquals(List.of("desk1 a1b2c3d4 true", "desk1 a1b2c3d4 false"), viewOnlyCalls.subList(
                viewOnlyCalls.size() - 2, viewOnlyCalls.size()));
        assertEquals("viewer a1b2c3d4 of desk1 is view-only\nviewer a1b2c3d4 of desk1 controls the desktop\n",
                output().replace(System.lineSeparator(), "\n"));
        DisplayDisconnectCommand disconnect = new DisplayDisconnectCommand();
        disconnect.displays = service();
        disconnect.name = "desk1";
        disconnect.viewer = "nobody";
        ReplayDeskException e = assertThrows(ReplayDeskException.class, disconnect::execute);
        assertTrue(e.getMessage().contains("no viewer nobody"));
    }
}
