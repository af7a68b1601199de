package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.api.session.SessionService;

/**
 * A two-host session: a server Karaf (the distribution, started with bin/start, its own ports) records {@code anim};
 * this test's container is the client host and opens the session with {@code desk:session-open --server}. Its
 * viewer stays connected while the operator switches the session to replay (a JOIN snapshot on the server through
 * the pager's session request, the replayer here) and back; at each stop the viewer shows exactly the screen of the
 * VM it watches. Closing the session leaves the server VM running.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SessionTwoHostsIT extends ReplayDeskTestSupport {

    private static final Pattern ICOUNT = Pattern.compile("icount (\\d+)");
    private static final int SERVER_LOG_PORT = 5790;
    private static final String VM = "far";

    @Test
    public void aClientContainerRunsASessionOnTheServerContainersVm() throws Exception {
        try (KarafDistribution server = new KarafDistribution("server", Map.of(
                "org.replaydesk.recordlog.cfg", Map.of("port", Integer.toString(SERVER_LOG_PORT)),
                "org.replaydesk.pager.cfg", Map.of("port", Integer.toString(SERVER_LOG_PORT + 1)),
                "org.replaydesk.display.vnc.cfg", Map.of("port.base", "5750", "websocket.port.base", "5850"),
                "org.replaydesk.hypervisor.qemu.cfg", Map.of("vnc.loopback.port.base", "5985")))) {
            server.start();
            server.client("desk:vm-create --workload anim " + VM);
            server.client("desk:vm-start " + VM);
            await("the server's boot snapshot of " + VM, Duration.ofSeconds(150), () -> {
                try {
                    return server.client("desk:snapshot-list " + VM).contains("BOOT");
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            String id = null;
            try {
                String noVm = executeExpectingError("desk:session-open --server 127.0.0.1:" + SERVER_LOG_PORT
                        + " nosuchvm");
                assertTrue(noVm, noVm.contains("no VM nosuchvm"));
                String otherClient = executeExpectingError("desk:session-open --client desk-17.example.org --server "
                        + "127.0.0.1:" + SERVER_LOG_PORT + " " + VM);
                assertTrue(otherClient, otherClient.contains("is not this host"));

                execute("desk:policy-set pinned");
                String opened = execute("desk:session-open --server 127.0.0.1:" + SERVER_LOG_PORT + " " + VM);
                Matcher m = Pattern.compile("Session (s\\d+) on .*::(\\d+)").matcher(opened);
                assertTrue(opened, m.find());
                id = m.group(1);
                String sid = id;
                int port = Integer.parseInt(m.group(2));

                try (RawRfbClient viewer = new RawRfbClient(port)) {
                    await("the viewer to get updates", Duration.ofSeconds(30), () -> viewer.updates() > 3);
                    await("the session to count its viewer", Duration.ofSeconds(10), () -> info(sid).viewers() == 1);
                    assertTrue(info(sid).server(), info(sid).server().startsWith("127.0.0.1:"));
                    String list = execute("desk:session-list --no-format");
                    assertTrue(list, list.contains(" server=127.0.0.1:"));
                    metricsInDisplayMode(sid);
                    sameAsServer(server, viewer, "display-first");

                    execute("desk:session-mode " + id + " replay");
                    await("the session to reach replay", Duration.ofMinutes(5),
                            () -> info(sid).mode() == SessionMode.REPLAY);
                    ModeSwitch toReplay = last(id);
                    assertTrue("the server's stall is in the switch log", toReplay.serverStall().isPresent());
                    System.err.println("SessionTwoHostsIT: display -> replay " + toReplay.latency().toMillis()
                            + " ms, server stall " + toReplay.serverStall().orElseThrow().toMillis() + " ms");
                    assertEquals("the viewer was never dropped", 1, info(id).viewers());
                    long updates = viewer.updates();
                    await("the viewer to get the replayer's updates", Duration.ofSeconds(30),
                            () -> viewer.updates() > updates + 3);
                    sameAsReplayer(server, viewer, "replay");

                    execute("desk:session-mode " + id + " display");
                    await("the session to return to display", Duration.ofSeconds(30),
                            () -> info(sid).mode() == SessionMode.DISPLAY);
                    assertEquals(1, info(id).viewers());
                    long again = viewer.updates();
                    await("the viewer to get the server display's updates again", Duration.ofSeconds(30),
                            () -> viewer.updates() > again + 3);
                    sameAsServer(server, viewer, "display-again");

                    List<String> path = service(SessionService.class).history(id).stream()
                            .map(s -> s.from() + "->" + s.to()).toList();
                    assertEquals(List.of("DISPLAY->SNAPSHOTTING", "SNAPSHOTTING->DUAL", "DUAL->REPLAY",
                            "REPLAY->DISPLAY"), path);
                }
                execute("desk:session-close " + id);
                id = null;
                String vms = server.client("desk:vm-list --no-format");
                assertTrue("the server VM keeps running after the session closed: " + vms,
                        vms.lines().anyMatch(l -> l.startsWith(VM + "\t") && l.contains("RUNNING")));
            } finally {
                if (id != null) {
                    try {
                        execute("desk:session-close " + id);
                    } catch (Exception e) {
                        System.err.println("session-close: " + e);
                    }
                }
                try {
                    execute("desk:policy-set paper");
                } catch (Exception e) {
                    System.err.println("policy-set: " + e);
                }
                cleanup(VM + "-replay");
            }
        }
    }

    /**
     * What the session's policy sees, read as an operator reads it ({@code desk:session-metrics}), after a few ticks
     * in display mode and before anything pauses the server VM. The VM's CPU and network figures come from the
     * server: its QEMU's CPU time and network byte count travel in each status answer (pager protocol 4), and this
     * client turns the growth between two answers into rates.
     */
    private void metricsInDisplayMode(String id) throws Exception {
        // Known from the second status answer on (about a tick each); NaN for ever with a server that does not send
        // the counters (protocol 3 or older).
        await("the session's metrics to know the server VM's CPU load", Duration.ofSeconds(30),
                () -> service(SessionService.class).metrics(id).filter(m -> Double.isFinite(m.vmCpuLoad()))
                        .isPresent());
        Map<String, String> metrics = sessionMetrics(id);
        assertEquals(metrics.toString(), "DISPLAY", metrics.get("mode"));
        // The server's QEMU emulates the animation under TCG: its CPU time grows between any two answers.
        double vmCpuLoad = metric(metrics, "vmCpuLoad");
        assertTrue("vmCpuLoad " + vmCpuLoad + " in " + metrics, Double.isFinite(vmCpuLoad) && vmCpuLoad > 0);
        // The server's VM was created without --network: QEMU has no NIC (-net none), librrflush keeps no counters
        // file, so the server reports the byte count as unknown (-1) and the policy is told NaN, not 0.
        double vmNetwork = metric(metrics, "vmNetworkBytesPerSecond");
        assertTrue("vmNetworkBytesPerSecond " + vmNetwork + " for a VM without a network", Double.isNaN(vmNetwork));
        report("metrics in display mode (age %s ms): vmCpuLoad %s cores (from the server), vmNetworkBytesPerSecond %s, "
                + "displayBytesPerSecond %s, roundTrip %s ms", metrics.get("age"), metrics.get("vmCpuLoad"),
                metrics.get("vmNetworkBytesPerSecond"), metrics.get("displayBytesPerSecond"), metrics.get("roundTrip"));
    }

    private void report(String format, Object... args) throws IOException {
        String line = String.format(Locale.ROOT, format, args);
        System.err.println("SessionTwoHostsIT: " + line);
        Files.writeString(workDir().resolve("session-two-hosts-it-results.txt"), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Pauses the server VM and waits until the viewer's frame equals the server's screendump. */
    private void sameAsServer(KarafDistribution server, RawRfbClient viewer, String label) throws Exception {
        server.client("desk:vm-pause " + VM);
        try {
            Path shot = workDir().resolve("two-hosts-session-" + label + ".png").toAbsolutePath();
            server.client("desk:vm-screendump " + VM + " " + shot);
            BufferedImage expected = ImageIO.read(shot.toFile());
            assertFrame(viewer, expected, label + " (server VM)");
        } finally {
            server.client("desk:vm-resume " + VM);
        }
    }

    /** Pauses the server VM, runs the client's replayer to its instruction count, compares with the replayer. */
    private void sameAsReplayer(KarafDistribution server, RawRfbClient viewer, String label) throws Exception {
        Matcher m = ICOUNT.matcher(server.client("desk:vm-pause " + VM));
        assertTrue("vm-pause printed no icount", m.find());
        long icount = Long.parseLong(m.group(1));
        VirtualMachine replayer = hypervisor().get(VmName.of(VM + "-replay"));
        try {
            replayer.runUntil(icount, Duration.ofSeconds(120));
            assertFrame(viewer, screen(VM + "-replay", "two-hosts-session-" + label), label + " (replayer)");
        } finally {
            server.client("desk:vm-resume " + VM);
            replayer.resume();
        }
    }

    private static void assertFrame(RawRfbClient viewer, BufferedImage expected, String label) throws Exception {
        assertFalse(label + ": expected screen is blank", isBlank(expected));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long differing;
        do {
            differing = differing(viewer.frame(), viewer.width, expected);
            if (differing == 0) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        System.err.println("SessionTwoHostsIT: " + label + ": " + differing + " pixels differ");
        assertEquals(label + ": pixels that differ", 0, differing);
    }
}
