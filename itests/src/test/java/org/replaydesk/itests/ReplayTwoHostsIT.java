package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * Record/replay across two containers: a server Karaf (the distribution, started with bin/start, its own ports)
 * records {@code anim} and snapshots it after boot; this test's container is the client. It joins 20 s after boot
 * with {@code desk:replay-start --server}, pages the snapshot and its base in from the server's chunk server, streams
 * the log, catches up, and at a replay break shows exactly the server's screen at the same instruction.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReplayTwoHostsIT extends ReplayDeskTestSupport {

    private static final Pattern ICOUNT = Pattern.compile("icount (\\d+)");
    private static final int SERVER_LOG_PORT = 5790;

    @Test
    public void aClientContainerReplaysTheServerContainersVm() throws Exception {
        try (KarafDistribution server = new KarafDistribution("server", Map.of(
                "org.replaydesk.recordlog.cfg", Map.of("port", Integer.toString(SERVER_LOG_PORT)),
                "org.replaydesk.pager.cfg", Map.of("port", Integer.toString(SERVER_LOG_PORT + 1)),
                "org.replaydesk.display.vnc.cfg", Map.of("port.base", "5750", "websocket.port.base", "5850"),
                "org.replaydesk.hypervisor.qemu.cfg", Map.of("vnc.loopback.port.base", "5985")))) {
            server.start();
            server.client("desk:vm-create --workload anim far");
            server.client("desk:vm-start far");
            long started = System.nanoTime();
            await("the server's boot snapshot of far", Duration.ofSeconds(150), () -> {
                try {
                    return server.client("desk:snapshot-list far").contains("BOOT");
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            Thread.sleep(Math.max(0, 35_000 - (System.nanoTime() - started) / 1_000_000));
            // A fresh snapshot on the server first, as a JOIN does (catch-up from an old one is slow under load).
            server.client("desk:snapshot-take far");
            try {
                String out = execute("desk:replay-start --wait 300 --server 127.0.0.1:" + SERVER_LOG_PORT + " far",
                        Duration.ofMinutes(6));
                assertTrue(out, out.contains("Live after"));
                System.err.println("ReplayTwoHostsIT: " + execute("desk:replay-status far"));

                Matcher m = ICOUNT.matcher(server.client("desk:vm-pause far"));
                assertTrue("vm-pause printed no icount", m.find());
                long icount = Long.parseLong(m.group(1));
                Path serverShot = workDir().resolve("far-server.png").toAbsolutePath();
                server.client("desk:vm-screendump far " + serverShot);
                BufferedImage recorded = ImageIO.read(serverShot.toFile());
                VirtualMachine replayer = hypervisor().get(VmName.of("far-replay"));
                replayer.runUntil(icount, Duration.ofSeconds(120));
                BufferedImage replayed = screen("far-replay", "two-hosts");
                assertFalse("server screen is blank", isBlank(recorded));
                assertEquals("pixels that differ between the server's VM and the client's replayer at icount " + icount,
                        0, differingPixels(recorded, replayed));
                // the break left the replayer paused (a paused replayer is not stalled); it resumes before the
                // recorder, as in ReplayIT
                replayer.resume();
                server.client("desk:vm-resume far");

                // A diverged replay of another host's VM rejoins from a snapshot the server takes for it (its session
                // agent, over the pager), not from the newest periodic one. The NMI is not in the log: it diverges.
                var diverging = replay().find(VmName.of("far")).orElseThrow();
                String joinedFrom = diverging.status().snapshot().value();
                long t0 = System.nanoTime();
                execute("desk:vm-nmi far-replay");
                var rejoined = awaitRejoin("far", diverging);
                assertTrue("no rejoin within 90 s of the NMI: " + execute("desk:replay-status far"), rejoined != null);
                String rejoinedFrom = rejoined.status().snapshot().value();
                System.err.println("ReplayTwoHostsIT: rejoined " + (System.nanoTime() - t0) / 1_000_000
                        + " ms after the NMI from " + rejoinedFrom + " (was " + joinedFrom + "): "
                        + rejoined.status().rejoin().orElseThrow());
                assertFalse("the rejoin used the server's fresh snapshot, not " + joinedFrom,
                        rejoinedFrom.equals(joinedFrom));
                assertTrue(server.client("desk:snapshot-list far"), server.client("desk:snapshot-list far")
                        .contains(rejoinedFrom));
                m = ICOUNT.matcher(server.client("desk:vm-pause far"));
                assertTrue("vm-pause printed no icount", m.find());
                icount = Long.parseLong(m.group(1));
                server.client("desk:vm-screendump far " + serverShot);
                recorded = ImageIO.read(serverShot.toFile());
                hypervisor().get(VmName.of("far-replay")).runUntil(icount, Duration.ofSeconds(120));
                replayed = screen("far-replay", "two-hosts-after-rejoin");
                assertEquals("pixels that differ after the rejoin at icount " + icount, 0,
                        differingPixels(recorded, replayed));
                server.client("desk:vm-resume far");
            } finally {
                try {
                    execute("desk:replay-stop far");
                } catch (Exception e) {
                    System.err.println("replay-stop: " + e);
                }
                cleanup("far-replay");
            }
        }
    }
}
