package org.replaydesk.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;

/**
 * The foundation, end to end through the real distribution and real QEMU: bundle wiring, the VM
 * life cycle through shell commands, screens, the record log, snapshots, failure handling and bad
 * input.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends ReplayDeskTestSupport {

    @After
    public void removeVms() {
        cleanup("life", "victim", "dup", "bad", "twice");
    }

    @Test
    public void everyBundleIsActive() throws Exception {
        await("every bundle to be active", Duration.ofSeconds(60), () -> inactiveBundles().isEmpty());
        java.util.Set<String> ours = Arrays.stream(bundleContext.getBundles()).map(Bundle::getSymbolicName)
                .filter(n -> n.startsWith("org.replaydesk.")).collect(java.util.stream.Collectors.toSet());
        for (String expected : List.of("api", "qmp", "rfb", "hypervisor.qemu", "display.vnc", "shell", "recordlog", "pager")) {
            assertTrue("bundle org.replaydesk." + expected + " installed: " + ours,
                    ours.contains("org.replaydesk." + expected));
        }
        assertTrue(execute("bundle:list -t 0 --no-format").contains("ReplayDesk :: Hypervisor :: QEMU"));
        // A command with a mandatory service reference appears only once that service (the pager's cache) is up,
        // which can be a moment after the bundles are active.
        await("desk:cache-stats to answer", Duration.ofSeconds(30), () -> {
            try {
                String cache = execute("desk:cache-stats --no-format");
                return cache.contains("limit\t") && cache.contains("hits\t");
            } catch (Exception e) {
                return false;
            }
        });
    }

    private List<String> inactiveBundles() {
        List<String> inactive = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            if (b.getState() != (fragment ? Bundle.RESOLVED : Bundle.ACTIVE)) {
                inactive.add(b.getSymbolicName() + " (state " + b.getState() + ")");
            }
        }
        if (!inactive.isEmpty()) {
            System.err.println("inactive bundles: " + inactive);
        }
        return inactive;
    }

    @Test
    public void demoVmLifeCycleThroughTheShell() throws Exception {
        String created = execute("desk:vm-create --memory 256 --workload anim life");
        assertTrue(created, created.contains("VM life created"));
        assertTrue(execute("desk:vm-list --no-format").contains("life\tSTOPPED\trecord"));

        // Every state change is also an OSGi event.
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        var registration = bundleContext.registerService(org.osgi.service.event.EventHandler.class,
                e -> events.add(e.getTopic() + " " + e.getProperty("vm") + " " + e.getProperty("oldState")),
                new java.util.Hashtable<>(java.util.Map.of(org.osgi.service.event.EventConstants.EVENT_TOPIC,
                        org.replaydesk.api.hypervisor.VmEvent.TOPIC_PREFIX + "*")));
        String started = execute("desk:vm-start life");
        assertTrue(started, started.contains("RUNNING"));
        awaitGuestReady("life");
        await("VM events for life", Duration.ofSeconds(10),
                () -> events.contains("org/replaydesk/vm/STARTING life STOPPED") && events.contains("org/replaydesk/vm/RUNNING life STARTING"));
        registration.unregister();

        // The screen is drawn by the guest and keeps changing (the animation).
        BufferedImage first = awaitNonBlankScreen("life");
        assertEquals(640, first.getWidth());
        assertEquals(480, first.getHeight());
        Thread.sleep(1500);
        BufferedImage second = screen("life", "second");
        assertTrue("the animation did not change the screen in 1.5 s", differingPixels(first, second) > 1000);

        // A standard VNC client sees exactly the guest's screen on the loopback port the driver printed.
        String vnc = hypervisor().get(VmName.of("life")).status().vncAddress().orElseThrow();
        assertTrue(started, started.contains("VNC at " + vnc + " (vncviewer 127.0.0.1::"));
        execute("desk:vm-pause life");
        BufferedImage paused = screen("life", "paused");
        BufferedImage viewed = vncCapture(vnc, "life-gvnccapture.png");
        assertEquals("pixels that differ between QEMU's screendump and gvnccapture", 0, differingPixels(paused, viewed));
        // ... and so does a viewer of our own RFB relay (display provider) for the VM.
        var displays = bundleContext.getServiceReference(org.replaydesk.display.vnc.DisplayService.class);
        assertTrue("no DisplayService", displays != null);
        org.replaydesk.display.vnc.DisplayService displayService = bundleContext.getService(displays);
        await("a relay display for life", Duration.ofSeconds(20), () -> displayService.display(VmName.of("life")).isPresent());
        var relay = displayService.display(VmName.of("life")).orElseThrow();
        BufferedImage relayed = vncCapture("127.0.0.1:" + relay.address().getPort(), "life-relay.png");
        assertEquals("pixels that differ between QEMU's screendump and gvnccapture through our relay", 0,
                differingPixels(paused, relayed));
        bundleContext.ungetService(displays);
        String displayList = execute("desk:display-list --no-format");
        String stats = execute("desk:display-stats --no-format life");
        assertTrue(stats, stats.toLowerCase().contains("upstream"));
        assertTrue(displayList, displayList.contains("life\t127.0.0.1:" + relay.address().getPort() + "\t"));
        execute("desk:vm-resume life");

        // The container's record-log streamer serves the live log: a subscriber gets bytes and the icount.
        var subscriberRef = bundleContext.getServiceReference(org.replaydesk.recordlog.RecordLogSubscriber.class);
        var publisherRef = bundleContext.getServiceReference(org.replaydesk.recordlog.RecordLogPublisher.class);
        assertTrue("no record-log services", subscriberRef != null && publisherRef != null);
        var publisher = bundleContext.getService(publisherRef);
        await("life published by the streamer", Duration.ofSeconds(20),
                () -> publisher.published().contains(VmName.of("life")));
        java.util.concurrent.atomic.AtomicLong streamed = new java.util.concurrent.atomic.AtomicLong();
        var subscription = bundleContext.getService(subscriberRef).subscribe(publisher.address(), VmName.of("life"), 0,
                new org.replaydesk.recordlog.RecordLogSink() {
                    @Override
                    public void onData(long offset, byte[] bytes) {
                        streamed.addAndGet(bytes.length);
                    }

                    @Override
                    public void onEnd(long finalSize, byte[] header) {
                    }

                    @Override
                    public void onError(org.replaydesk.api.ReplayDeskException error) {
                        System.err.println("record log stream: " + error.getMessage());
                    }
                }, org.replaydesk.recordlog.SubscriptionOptions.defaults());
        try {
            await("log bytes and an icount heartbeat from the streamer", Duration.ofSeconds(20),
                    () -> streamed.get() > 0 && subscription.lastHeartbeat().isPresent());
        } finally {
            subscription.close();
            bundleContext.ungetService(subscriberRef);
            bundleContext.ungetService(publisherRef);
        }

        // The record log grows while the VM runs.
        long log1 = hypervisor().get(VmName.of("life")).status().logBytes();
        Thread.sleep(3000);
        VmStatus status = hypervisor().get(VmName.of("life")).status();
        assertTrue("record log did not grow: " + log1 + " -> " + status.logBytes(), status.logBytes() > log1);
        assertTrue(status.icount().isPresent() && status.icount().getAsLong() > 0);
        String listed = execute("desk:vm-list --no-format");
        assertTrue(listed, Pattern.compile("life\tRUNNING\trecord\t\\d+\t\\d+\t\\d+s\tanim\t127.0.0.1:59\\d\\d").matcher(listed).find());

        // A snapshot reports the stall the guest saw.
        String snap = execute("desk:vm-snapshot life s1");
        Matcher m = Pattern.compile("stall (\\d+) ms").matcher(snap);
        assertTrue(snap, m.find());
        long stallMs = Long.parseLong(m.group(1));
        assertTrue("stall " + stallMs + " ms", stallMs > 0 && stallMs < 5000);

        // Switching the workload at run time, without a reboot.
        assertTrue(execute("desk:vm-workload life idle").contains("now runs workload idle"));
        assertEquals("idle", hypervisor().get(VmName.of("life")).status().workload());

        // Stopping leaves no QEMU process behind.
        Path dir = vmDir("life");
        assertTrue(processesMentioning(dir).length > 0);
        assertTrue(execute("desk:vm-stop life").contains("STOPPED"));
        assertEquals(VmState.STOPPED, state("life"));
        assertArrayEquals("QEMU processes left after vm-stop", new long[0], processesMentioning(dir));
        assertTrue(execute("desk:vm-delete life").contains("deleted"));
        assertFalse(Files.exists(dir));
    }

    /** Captures the screen with gvnccapture (package gvncviewer), a real VNC client. */
    private BufferedImage vncCapture(String hostPort, String fileName) throws Exception {
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        Path file = workDir().resolve(fileName);
        Files.deleteIfExists(file);
        Process p = new ProcessBuilder("gvnccapture", "--quiet", "127.0.0.1:" + (port - 5900), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("gvnccapture did not finish", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("gvnccapture failed: " + out, 0, p.exitValue());
        BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
        assertTrue("gvnccapture wrote no image", image != null);
        return image;
    }

    private BufferedImage awaitNonBlankScreen(String vm) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int i = 0;
        while (true) {
            BufferedImage image = screen(vm, "wait" + (i++ % 2));
            if (!isBlank(image)) {
                return image;
            }
            assertTrue("screen of " + vm + " stayed blank", System.nanoTime() < deadline);
            Thread.sleep(500);
        }
    }

    @Test
    public void qemuKilledFromOutsideTurnsTheVmFailedWithAReason() throws Exception {
        execute("desk:vm-create --workload idle --memory 128 victim");
        execute("desk:vm-start victim");
        long pid = Long.parseLong(Files.readString(vmDir("victim").resolve("qemu.pid")).strip());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("victim to fail", Duration.ofSeconds(20), () -> state("victim") == VmState.FAILED);
        String reason = hypervisor().get(VmName.of("victim")).status().failureReason().orElse("");
        assertTrue(reason, reason.contains("killed by signal 9"));
        String info = execute("desk:vm-info victim");
        assertTrue(info, info.contains("FAILED") && info.contains("killed by signal 9"));
        // A failed VM can be started again.
        execute("desk:vm-start victim");
        assertEquals(VmState.RUNNING, state("victim"));

        // Stopping the driver bundle ends its QEMU processes; starting it again brings the definition back.
        Bundle driver = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "org.replaydesk.hypervisor.qemu".equals(b.getSymbolicName())).findFirst().orElseThrow();
        assertTrue(processesMentioning(vmDir("victim")).length > 0);
        driver.stop();
        try {
            assertArrayEquals("QEMU processes left after the driver bundle stopped", new long[0],
                    processesMentioning(vmDir("victim")));
        } finally {
            driver.start();
        }
        assertEquals(VmState.STOPPED, state("victim"));
        await("desk commands after the driver restart", Duration.ofSeconds(30), () -> {
            try {
                return execute("desk:vm-list --no-format").contains("victim\tSTOPPED");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void badInputGetsAClearErrorAndChangesNothing() throws Exception {
        String before = execute("desk:vm-list --no-format");

        assertContains(executeExpectingError("desk:vm-start nope"), "No VM named 'nope'");
        assertContains(executeExpectingError("desk:vm-create Bad"), "Invalid VM name 'Bad'");
        assertContains(executeExpectingError("desk:vm-create --memory 10 bad"), "Invalid memory size 10 MiB");
        assertContains(executeExpectingError("desk:vm-create --memory 99999 bad"), "use 64-16384 MiB");
        assertContains(executeExpectingError("desk:vm-create --workload dance bad"), "Unknown workload 'dance'");
        assertContains(executeExpectingError("desk:vm-create --kernel /nonexistent/vmlinuz bad"),
                "Kernel /nonexistent/vmlinuz does not exist");
        assertContains(executeExpectingError("desk:vm-create --image /nonexistent/disk.qcow2 bad"),
                "Disk image /nonexistent/disk.qcow2 does not exist");
        assertFalse(Files.exists(vmDir("bad")));
        assertEquals(before, execute("desk:vm-list --no-format"));

        execute("desk:vm-create --workload idle --memory 128 dup");
        assertContains(executeExpectingError("desk:vm-create dup"), "A VM named 'dup' already exists");
        assertEquals(128, hypervisor().get(VmName.of("dup")).spec().memoryMb());

        execute("desk:vm-create --workload idle --memory 128 twice");
        execute("desk:vm-start twice");
        long pid = Long.parseLong(Files.readString(vmDir("twice").resolve("qemu.pid")).strip());
        assertContains(executeExpectingError("desk:vm-start twice"), "already running");
        assertEquals(VmState.RUNNING, state("twice"));
        assertEquals(pid, Long.parseLong(Files.readString(vmDir("twice").resolve("qemu.pid")).strip()));
        assertContains(executeExpectingError("desk:vm-delete twice"), "stop it first");
        assertContains(executeExpectingError("desk:vm-type twice \"caf\u00e9\""), "Cannot type character U+00E9");
        execute("desk:vm-stop twice");

        // QEMU missing: the driver says so and what to install; the VM stays as it was.
        // The operator's way to point the driver elsewhere: configuration through the shell.
        await("config commands to be registered", Duration.ofSeconds(60), () -> {
            try {
                execute("config:list \"(service.pid=org.replaydesk.hypervisor.qemu)\"");
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        long driver = hypervisorServiceId();
        execute("config:property-set -p org.replaydesk.hypervisor.qemu qemu.binary /nonexistent/qemu-system-x86_64");
        try {
            await("driver to restart with the new QEMU path", Duration.ofSeconds(30), () -> hypervisorServiceId() != driver && hypervisorServiceId() != -1);
            // The shell re-registers its commands shortly after the new driver service appears.
            String[] error = new String[1];
            await("desk:vm-start to be registered again", Duration.ofSeconds(30), () -> {
                try {
                    error[0] = executeExpectingError("desk:vm-start dup");
                    return !error[0].contains("Command not found");
                } catch (Exception e) {
                    return false;
                }
            });
            assertContains(error[0], "QEMU is not installed: '/nonexistent/qemu-system-x86_64' was not found");
            assertContains(error[0], "apt-get install qemu-system-x86");
            assertEquals(VmState.STOPPED, state("dup"));
        } finally {
            long broken = hypervisorServiceId();
            execute("config:property-delete -p org.replaydesk.hypervisor.qemu qemu.binary");
            await("driver to restart with the default QEMU", Duration.ofSeconds(30), () -> hypervisorServiceId() != broken && hypervisorServiceId() != -1);
        }
        await("desk commands to be registered again", Duration.ofSeconds(30), () -> {
            try {
                return execute("desk:vm-list --no-format").contains("dup\tSTOPPED");
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(VmState.STOPPED, state("dup"));
    }

    private long hypervisorServiceId() {
        var ref = bundleContext.getServiceReference(org.replaydesk.api.hypervisor.Hypervisor.class);
        return ref == null ? -1 : (Long) ref.getProperty("service.id");
    }

    static void assertContains(String actual, String expected) {
        assertTrue("expected '" + expected + "' in: " + actual, actual != null && actual.contains(expected));
    }
}
