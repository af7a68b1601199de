package org.replaydesk.display.vnc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ReplayDesk VNC display", description = "Where and how viewers reach VM screens")
@interface VncDisplayConfiguration {

    @AttributeDefinition(description = "Address the displays listen on; security 'none' requires a loopback address")
    String listen_address() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port of the first display; the next VMs get base+1, base+2, ...")
    int port_base() default 5700;

    @AttributeDefinition(description = "TCP port of the first display's WebSocket endpoint (RFB over WebSocket, for "
            + "noVNC); the next VMs get base+1, ...; 0: no WebSocket endpoints")
    int websocket_port_base() default 5800;

    @AttributeDefinition(description = "Image quality for Tight viewers: 'auto' (what the viewer asks for), "
            + "'lossless' (never JPEG), or 0-9 (JPEG at most this quality, also for viewers that asked for none)")
    String quality() default "auto";

    @AttributeDefinition(description = "Viewer authentication: none or vncauth")
    String security() default "none";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "VNC password (vncauth; 8 characters are used)")
    String password() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "VNC password kept out of the service "
            + "properties (a DS private property); wins over 'password'")
    String _password() default "";

    @AttributeDefinition(description = "Folder holding <vm>/vnc.sock; empty: taken from the hypervisor's socket.dir "
            + "service property, else the QEMU driver's default")
    String socket_dir() default "";
}
