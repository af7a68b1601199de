/**
 * The hypervisor SPI: how ReplayDesk defines, runs and observes desktop VMs. A driver bundle (QEMU
 * today) registers a {@link org.replaydesk.api.hypervisor.Hypervisor} service; everything else
 * (shell, display, record/replay, sessions) goes through it.
 */
@Export
@Version("1.5.0")
package org.replaydesk.api.hypervisor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
