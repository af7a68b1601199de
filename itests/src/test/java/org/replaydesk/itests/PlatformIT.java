package org.replaydesk.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;

import javax.inject.Inject;

/**
 * The foundation, end to end through the real distribution and real QEMU: bundle wiring, the VM
 * life cycle through shell commands, screens, the record log, snapshots, failure handling and bad
 * input.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends ReplayDeskTestSupport {

    @Inject
    ConfigurationAdmin configurationAdmin;

    @After
    public void removeVms() {
        cleanup("life", "victim", "dup", "bad", "twice");
    }

    @Test
    public void everyBundleIsActive() {
        for (Bundle b : bundleContext.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            assertEquals(b.getSymbolicName() + " is not active", fragment ? Bundle.RESOLVED : Bundle.ACTIVE, b.getState());
        }
        long ours = Arrays.stream(bundleContext.getBundles()).filter(b -> b.getSymbolicName().startsWith("org.replaydesk.")).count();
        assertEquals("ReplayDesk bundles installed", 4, ours);
    }

    @Test
    public void demoVmLifeCycleThroughTheShell() throws Exception {
        String created = execute("desk:vm-create life --memory 256 --workload anim");
        assertTrue(created, created.contains("VM life created"));
        assertTrue(execute("desk:vm-list --no-format").contains("life\tSTOPPED\trecord"));

        String started = execute("desk:vm-start life");
        assertTrue(started, started.contains("RUNNING"));
        awaitGuestReady("life");

        // The screen is drawn by the guest and keeps changing (the animation).
        BufferedImage first = awaitNonBlankScreen("life");
        assertEquals(640, first.getWidth());
        assertEquals(480, first.getHeight());
        Thread.sleep(1500);
        BufferedImage second = screen("life", "second");
        assertTrue("the animation did not change the screen in 1.5 s", differingPixels(first, second) > 1000);

        // The record log grows while the VM runs.
        long log1 = hypervisor().get(VmName.of("life")).status().logBytes();
        Thread.sleep(3000);
        VmStatus status = hypervisor().get(VmName.of("life")).status();
        assertTrue("record log did not grow: " + log1 + " -> " + status.logBytes(), status.logBytes() > log1);
        assertTrue(status.icount().isPresent() && status.icount().getAsLong() > 0);
        String listed = execute("desk:vm-list --no-format");
        assertTrue(listed, Pattern.compile("life\tRUNNING\trecord\t\\d+\t\\d+\t").matcher(listed).find());

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
        execute("desk:vm-create victim --workload idle --memory 128");
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
    }

    @Test
    public void badInputGetsAClearErrorAndChangesNothing() throws Exception {
        String before = execute("desk:vm-list --no-format");

        assertContains(executeExpectingError("desk:vm-start nope"), "No VM named 'nope'");
        assertContains(executeExpectingError("desk:vm-create Bad"), "Invalid VM name 'Bad'");
        assertContains(executeExpectingError("desk:vm-create bad --memory 10"), "Invalid memory size 10 MiB");
        assertContains(executeExpectingError("desk:vm-create bad --memory 99999"), "use 64-16384 MiB");
        assertContains(executeExpectingError("desk:vm-create bad --workload dance"), "Unknown workload 'dance'");
        assertContains(executeExpectingError("desk:vm-create bad --kernel /nonexistent/vmlinuz"),
                "Kernel /nonexistent/vmlinuz does not exist");
        assertContains(executeExpectingError("desk:vm-create bad --image /nonexistent/disk.qcow2"),
                "Disk image /nonexistent/disk.qcow2 does not exist");
        assertFalse(Files.exists(vmDir("bad")));
        assertEquals(before, execute("desk:vm-list --no-format"));

        execute("desk:vm-create dup --workload idle --memory 128");
        assertContains(executeExpectingError("desk:vm-create dup"), "A VM named 'dup' already exists");
        assertEquals(128, hypervisor().get(VmName.of("dup")).spec().memoryMb());

        execute("desk:vm-create twice --workload idle --memory 128");
        execute("desk:vm-start twice");
        long pid = Long.parseLong(Files.readString(vmDir("twice").resolve("qemu.pid")).strip());
        assertContains(executeExpectingError("desk:vm-start twice"), "already running");
        assertEquals(VmState.RUNNING, state("twice"));
        assertEquals(pid, Long.parseLong(Files.readString(vmDir("twice").resolve("qemu.pid")).strip()));
        assertContains(executeExpectingError("desk:vm-delete twice"), "stop it first");
        assertContains(executeExpectingError("desk:vm-type twice \"caf\u00e9\""), "Cannot type character U+00E9");
        execute("desk:vm-stop twice");

        // QEMU missing: the driver says so and what to install; the VM stays as it was.
        Configuration config = configurationAdmin.getConfiguration("org.replaydesk.hypervisor().qemu", null);
        var saved = config.getProperties();
        var props = new java.util.Hashtable<String, Object>();
        if (saved != null) {
            for (var keys = saved.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                props.put(k, saved.get(k));
            }
        }
        props.put("qemu.binary", "/nonexistent/qemu-system-x86_64");
        config.update(props);
        try {
            await("driver to take the new QEMU path", Duration.ofSeconds(20), () -> {
                try {
                    return executeExpectingError("desk:vm-start dup").contains("QEMU is not installed");
                } catch (Exception e) {
                    return false;
                }
            });
            assertContains(executeExpectingError("desk:vm-start dup"), "apt-get install qemu-system-x86");
            assertEquals(VmState.STOPPED, state("dup"));
        } finally {
            props.remove("qemu.binary");
            config.update(props);
        }
        await("driver to come back", Duration.ofSeconds(20), () -> {
            try {
                return hypervisor().find(VmName.of("dup")).isPresent() && execute("desk:vm-list --no-format").contains("dup");
            } catch (Exception e) {
                return false;
            }
        });
    }

    static void assertContains(String actual, String expected) {
        assertTrue("expected '" + expected + "' in: " + actual, actual != null && actual.contains(expected));
    }
}
