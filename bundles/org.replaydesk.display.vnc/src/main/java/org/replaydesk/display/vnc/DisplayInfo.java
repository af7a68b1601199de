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
 * @param connected whether the relay is connected to the VM's own VNC server
 */
public record DisplayInfo(VmName vm, InetSocketAddress address, int viewers, int width, int height,
        boolean connected) {
}
