package org.replaydesk.display.vnc.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.replaydesk.api.VmName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Display settings of one VM, from a factory configuration {@code org.replaydesk.display.vnc.vm~NAME} (for example
 * {@code etc/org.replaydesk.display.vnc.vm~demo.cfg} with {@code vm=demo}, {@code port=5999}). One instance per
 * configuration; {@link VncDisplayService} picks them up dynamically and reopens the VM's display.
 */
@Component(service = VmDisplaySettings.class, configurationPid = "org.replaydesk.display.vnc.vm",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = VmDisplaySettings.Config.class, factory = true)
public final class VmDisplaySettings {

    private static final Logger LOG = LoggerFactory.getLogger(VmDisplaySettings.class);

    @ObjectClassDefinition(name = "ReplayDesk VNC display of one VM",
            description = "Overrides of org.replaydesk.display.vnc for one VM")
    @interface Config {
        @AttributeDefinition(description = "The VM these settings are for")
        String vm();

        @AttributeDefinition(description = "Fixed TCP port of the VM's display; 0: base+n like the others")
        int port() default 0;

        @AttributeDefinition(description = "Fixed WebSocket port; -1: like the others; 0: none for this VM")
        int websocket_port() default -1;

        @AttributeDefinition(description = "auto, lossless or 0-9; empty: the display-wide quality")
        String quality() default "";

        @AttributeDefinition(description = "Address this VM's display listens on; empty: the display-wide one")
        String listen_address() default "";

        @AttributeDefinition(description = "Security methods offered for this VM (same syntax as the display-wide "
                + "'security'; passwords and keystore stay display-wide); empty: the display-wide list")
        String security() default "";
    }

    private final VmName vm;
    private final int port;
    private final int webSocketPort;
    private final int quality;
    private final String listenAddress;
    private final String security;

    /**
     * @param config the factory configuration
     */
    @Activate
    public VmDisplaySettings(Config config) {
        try {
            vm = VmName.of(config.vm());
        } catch (RuntimeException e) {
            throw invalid("vm '" + config.vm() + "': " + e.getMessage());
        }
        if (config.port() < 0 || config.port() > 65535) {
            throw invalid("port " + config.port() + " of " + vm + " is not a TCP port");
        }
        if (config.websocket_port() < -1 || config.websocket_port() > 65535) {
            throw invalid("websocket.port " + config.websocket_port() + " of " + vm + " is not -1, 0 or a TCP port");
        }
        port = config.port();
        webSocketPort = config.websocket_port();
        listenAddress = config.listen_address().trim();
        security = config.security().trim();
        try {
            quality = config.quality().isBlank() ? DisplayQuality.UNSET : DisplayQuality.parse(config.quality());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage() + " (display of " + vm + ")");
        }
        LOG.info("display settings for {}: port {}, WebSocket {}, quality {}, listen {}, security {}", vm,
                port == 0 ? "auto" : port, webSocketPort < 0 ? "auto" : webSocketPort == 0 ? "none" : webSocketPort,
                DisplayQuality.describe(quality), listenAddress.isEmpty() ? "display-wide" : listenAddress,
                security.isEmpty() ? "display-wide" : security);
    }

    VmDisplaySettings(VmName vm, int port, int webSocketPort, int quality) {
        this(vm, port, webSocketPort, quality, "", "");
    }

    VmDisplaySettings(VmName vm, int port, int webSocketPort, int quality, String listenAddress, String security) {
        this.vm = vm;
        this.port = port;
        this.webSocketPort = webSocketPort;
        this.quality = quality;
        this.listenAddress = listenAddress;
        this.security = security;
    }

    private static IllegalArgumentException invalid(String message) {
        LOG.error("VM display settings rejected: {}", message);
        return new IllegalArgumentException(message);
    }

    VmName vm() {
        return vm;
    }

    int port() {
        return port;
    }

    int webSocketPort() {
        return webSocketPort;
    }

    int quality() {
        return quality;
    }

    /** @return the listen address override, empty for none */
    String listenAddress() {
        return listenAddress;
    }

    /** @return the security list override, empty for none */
    String security() {
        return security;
    }
}
