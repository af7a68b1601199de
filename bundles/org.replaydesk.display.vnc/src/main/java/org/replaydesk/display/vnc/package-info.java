/**
 * Remote display of desktop VMs over RFB (VNC): {@link org.replaydesk.display.vnc.DisplayService} tells which TCP
 * address serves each running VM's screen, and {@link org.replaydesk.display.vnc.DisplayInfo} describes one display.
 * Since 1.2.0 it also meters each display's traffic: {@link org.replaydesk.display.vnc.ViewerInfo} per viewer and
 * {@link org.replaydesk.display.vnc.TrafficStats} per viewer and per display. Since 1.2.0 a display's pixel source
 * can be swapped under its viewers ({@link org.replaydesk.display.vnc.DisplaySource},
 * {@link org.replaydesk.display.vnc.SourceSwitch}), displays can be opened on any RFB source, and viewers can be made
 * view-only or disconnected. Since 1.3.0 {@link org.replaydesk.display.vnc.InteractionStats} reports a display's
 * input events, frames after input and its input source's framebuffer damage.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.replaydesk.display.vnc;
