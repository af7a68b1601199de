package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.replaydesk.api.hypervisor.Hypervisor;

/**
 * Starts the real QEMU driver outside OSGi for another module's tests (its activation is package-private, so this
 * helper lives in the driver's package on the test classpath).
 */
public final class TestQemuDrivers {

    private TestQemuDrivers() {
    }

    /**
     * @param guestDir the demo guest (vmlinuz, initrd.gz, video.raw)
     * @param stateDir where the VMs' folders go
     * @return an active driver; end it with {@link #stop(Hypervisor)}
     * @throws IOException when a folder cannot be created
     */
    public static Hypervisor start(Path guestDir, Path stateDir) throws IOException {
        QemuHypervisor driver = new QemuHypervisor();
        Path state = stateDir.toAbsolutePath().normalize();
        driver.activate(new QemuSettings("qemu-system-x86_64", "qemu-img", guestDir.toAbsolutePath().normalize(),
                state, QemuSettings.defaultSocketDir(state), 0, 0, Duration.ofSeconds(30)));
        return driver;
    }

    /**
     * Stops the driver's VMs and the driver.
     *
     * @param driver a driver from {@link #start}
     */
    public static void stop(Hypervisor driver) {
        ((QemuHypervisor) driver).deactivate();
    }
}
