package org.replaydesk.api.hypervisor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a VM boots: either a kernel with an initrd and a command line, or a bootable disk image.
 * Empty paths mean "the driver's demo guest".
 *
 * @param kernel kernel image; empty for the demo guest's kernel (ignored when {@code diskImage} is set)
 * @param initrd initial ramdisk; empty for the demo guest's initramfs
 * @param kernelArgs extra kernel command-line arguments appended after the driver's own
 * @param diskImage a bootable disk image (raw or qcow2); when present the VM boots from it
 */
public record BootSource(Optional<Path> kernel, Optional<Path> initrd, String kernelArgs, Optional<Path> diskImage) {
    public BootSource {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(diskImage, "diskImage");
        kernelArgs = kernelArgs == null ? "" : kernelArgs.strip();
    }

    /** The demo guest shipped with the driver. */
    public static BootSource demoGuest() {
        return new BootSource(Optional.empty(), Optional.empty(), "", Optional.empty());
    }

    public static BootSource kernel(Path kernel, Path initrd, String kernelArgs) {
        return new BootSource(Optional.of(kernel), Optional.ofNullable(initrd), kernelArgs, Optional.empty());
    }

    public static BootSource disk(Path image) {
        return new BootSource(Optional.empty(), Optional.empty(), "", Optional.of(image));
    }
}
