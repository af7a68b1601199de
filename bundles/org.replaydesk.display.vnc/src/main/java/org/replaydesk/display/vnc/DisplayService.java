package org.replaydesk.display.vnc;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;

/**
 * The displays this host serves: one RFB (VNC) TCP endpoint per running or paused VM. A display opens when its VM
 * starts running and closes when the VM stops; viewers connect to {@link DisplayInfo#address()}.
 *
 * <p>It also meters each display's traffic ({@link #viewers}, {@link #stats}); this is the service the mode-switching
 * policy reads to decide, from how much a VM's screen changes and what that costs on the wire, which mode a desktop
 * should run in, and since 1.3 how much its user interacts and its input source's screen changes
 * ({@link #interaction}). The snapshots are cheap to take (no I/O, no blocking on the relay), so a policy may poll
 * them.
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

    /**
     * Opens a display that no local VM feeds: on a client host, a display whose pixels come from the server host's
     * display or from a local replaying VM. It gets the next free port like the others and stays open until
     * {@link #close}; the source is also where viewers' input goes.
     *
     * @param display name of the display (the desktop's VM name, shown to viewers)
     * @param source where its pixels and input go
     * @param timeout how long to wait for the source's first full frame
     * @return the open display
     * @throws ReplayDeskException CONFLICT if the name already has a display, UNAVAILABLE if the source cannot be
     *         reached or the port cannot be bound
     * @since 1.2
     */
    DisplayInfo open(VmName display, DisplaySource source, Duration timeout);

    /**
     * Closes a display and disconnects its viewers.
     *
     * @param display a display name
     * @throws ReplayDeskException NOT_FOUND if there is no such display
     * @since 1.2
     */
    void close(VmName display);

    /**
     * Makes a display take its pixels from another source without disconnecting its viewers: the relay connects to
     * the new source (or reuses the connection if it is the display's input source), waits for its full frame, and
     * sends each viewer only the parts of the screen that differ. Input keeps going to the display's input source
     * (the VM the desktop runs on), whatever the pixel source. Since 1.3, switching back to the input source while
     * the damage probe polls it ({@link InteractionStats#probing()}) does not wait for a full frame: its mirror is
     * at most one probe interval old, and the updates that follow bring the rest.
     *
     * @param display a display name
     * @param source the new pixel source; the display's {@link DisplayInfo#inputSource()} switches back to it
     * @param timeout how long to wait for the new source's full frame
     * @return what the switch did and how long it took
     * @throws ReplayDeskException NOT_FOUND if there is no such display, UNAVAILABLE if the new source failed (the
     *         display then keeps its old source)
     * @since 1.2
     */
    SourceSwitch switchSource(VmName display, DisplaySource source, Duration timeout);

    /**
     * Makes a viewer view-only (its keyboard, pointer and clipboard are dropped) or lets it control the desktop again.
     *
     * @param display a display name
     * @param viewerId a {@link ViewerInfo#id()}
     * @param viewOnly the new setting
     * @throws ReplayDeskException NOT_FOUND if the display or the viewer does not exist
     * @since 1.2
     */
    void setViewOnly(VmName display, String viewerId, boolean viewOnly);

    /**
     * Disconnects one viewer.
     *
     * @param display a display name
     * @param viewerId a {@link ViewerInfo#id()}
     * @throws ReplayDeskException NOT_FOUND if the display or the viewer does not exist
     * @since 1.2
     */
    void disconnect(VmName display, String viewerId);

    /**
     * How much the display's user interacts (input events, frames after an input) and how much the screen of its
     * input source changes (damaged pixels per second), measured on the input source whatever source the display
     * shows. Cheap to take, like {@link #stats}; a policy may poll it every second.
     *
     * @param display a display name
     * @return the display's interaction and damage; empty when there is no such display
     * @since 1.3
     */
    Optional<InteractionStats> interaction(VmName display);
}
