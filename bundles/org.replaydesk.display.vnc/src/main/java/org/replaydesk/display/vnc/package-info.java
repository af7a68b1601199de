/**
 * Remote display of desktop VMs over RFB (VNC): {@link org.replaydesk.display.vnc.DisplayService} tells which TCP
 * address serves each running VM's screen, and {@link org.replaydesk.display.vnc.DisplayInfo} describes one display.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.replaydesk.display.vnc;
