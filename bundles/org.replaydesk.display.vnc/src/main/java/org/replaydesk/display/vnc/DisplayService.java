package org.replaydesk.display.vnc;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/**
 * The displays this host serves: one RFB (VNC) TCP endpoint per running or paused VM. A display opens when its VM
 * starts running and closes when the VM stops; viewers connect to {@link DisplayInfo#address()}.
 *
 * <p>It also meters each display's traffic ({@link #viewers}, {@link #stats}); this is the service the mode-switching
 * policy reads to decide, from how much a VM's screen changes and what that costs on the wire, which mode a desktop
 * should run in. The snapshots are cheap to take (no I/O, no blocking on the relay), so a policy may poll them.
 */
@ProviderType
public interface DisplayService {

    /** @return every open display, sorted by VM name */
    List<DisplayInfo> displays();

    /**
     * @param vm a VM name
     * @return the VM's display, empty when the VM has none (not running, or its display failed to open)
     */
    Optional<DisplayInfo> display(VmName vm);

    /**
     * @param vm a VM name
     * @return the viewers connected to the VM's display right now (authenticated or not), oldest first; empty when
     *         the VM has no display
     * @since 1.1
     */
    List<ViewerInfo> viewers(VmName vm);

    /**
     * @param vm a VM name
     * @return the display's traffic: the sum over the viewers connected now, plus the rates at which the VM's own VNC
     *         server sends updates to the relay; empty when the VM has no display
     * @since 1.1
     */
    Optional<TrafficStats> stats(VmName vm);
}
