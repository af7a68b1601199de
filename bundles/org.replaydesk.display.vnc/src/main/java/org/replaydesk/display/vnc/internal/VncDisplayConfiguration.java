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

    @AttributeDefinition(description = "Viewer authentication offered, most preferred first, comma-separated: "
            + "x509plain (TLS + user/password), x509vnc (TLS + VNC password), x509none (TLS, no authentication; "
            + "loopback only), vncauth (VNC password in clear), none (loopback only). The x509 ones need tls.keystore")
    String security() default "none";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "VNC password (vncauth, x509vnc; 8 characters "
            + "are used)")
    String password() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "VNC password kept out of the service "
            + "properties (a DS private property); wins over 'password'")
    String _password() default "";

    @AttributeDefinition(description = "User name viewers give with x509plain")
    String plain_username() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of x509plain; prefer "
            + "'.plain.password', which is not published as a service property")
    String plain_password() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of x509plain, kept out of the service "
            + "properties; wins over 'plain.password'")
    String _plain_password() default "";

    @AttributeDefinition(description = "PKCS12 keystore with the displays' TLS certificate and private key (x509*)")
    String tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of tls.keystore and its key; prefer "
            + "'.tls.keystore.password', which is not published as a service property")
    String tls_keystore_password() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of tls.keystore and its key, kept out "
            + "of the service properties; wins over 'tls.keystore.password'")
    String _tls_keystore_password() default "";

    @AttributeDefinition(description = "Alias of the key entry in tls.keystore; empty: the keystore's only key entry")
    String tls_key_alias() default "";

    @AttributeDefinition(description = "Folder holding <vm>/vnc.sock; empty: taken from the hypervisor's socket.dir "
            + "service property, else the QEMU driver's default")
    String socket_dir() default "";

    @AttributeDefinition(description = "While a display shows another source than its VM (replay mode), ask the VM's "
            + "VNC server for incremental updates this often per second, so the VM's framebuffer damage keeps being "
            + "measured (DisplayService.interaction) and switching back is immediate; 0: stop asking (no damage "
            + "measured, switching back waits for a full frame). 2 keeps relay plus QEMU under 5% of a core on a "
            + "full-screen animation (5: about 7%)")
    // 2, not 5: measured relay + QEMU cost 4.2% of a core at 2 fps and 7.4% at 5 (docs/benchmarks.md, "Damage probe
    // cost"); switching back stays at 2-4 ms.
    int damage_probe_fps() default 2;
}
