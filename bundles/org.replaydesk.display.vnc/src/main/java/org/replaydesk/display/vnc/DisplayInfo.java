package org.replaydesk.display.vnc;

import java.net.InetSocketAddress;
import org.replaydesk.api.VmName;

/**
 * A snapshot of one VM display.
 *
 * @param vm the VM shown
 * @param address TCP address viewers connect to
 * @param viewers number of viewers connected right now (authenticated or not)
 * @param width framebuffer width, 0 until the VM's VNC server has answered
 * @param height framebuffer height, 0 until the VM's VNC server has answered
 * @param connected whether the relay is connected to its pixel source
 * @param webSocket address of the display's WebSocket endpoint (binary RFB, for noVNC), or null if it has none
 * @param source where the pixels come from now (since 1.2)
 * @param inputSource where viewers' input goes: the VM the desktop runs on (since 1.2)
 */
public record DisplayInfo(VmName vm, InetSocketAddress address, int viewers, int width, int height,
        boolean connected, InetSocketAddress webSocket, DisplaySource source, DisplaySource inputSource) {

    /**
     * The 1.1 form, without WebSocket address and sources.
     *
     * @param vm the VM shown
     * @param address TCP address viewers connect to
     * @param viewers number of viewers
     * @param width framebuffer width
     * @param height framebuffer height
     * @param connected whether the relay is connected to its source
     */
    public DisplayInfo(VmName vm, InetSocketAddress address, int viewers, int width, int height, boolean connected) {
        this(vm, address, viewers, width, height, connected, null, null, null);
    }

    /** @return whether the pixels come from somewhere else than the input source (dual or replay mode) */
    public boolean sourceSwitched() {
        return source != null && !source.equals(inputSource);
    }
}
