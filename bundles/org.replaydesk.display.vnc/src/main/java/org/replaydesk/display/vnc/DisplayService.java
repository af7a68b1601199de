package org.replaydesk.display.vnc;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/**
 * The displays this host serves: one RFB (VNC) TCP endpoint per running or paused VM. A display opens when its VM
 * starts running and closes when the VM stops; viewers connect to {@link DisplayInfo#address()}.
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
}
