package org.replaydesk.shell.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;

/**
 * Swaps where a display's pixels come from, with its viewers connected: {@code vm} (the VM itself), a unix socket or a
 * TCP RFB server. Sessions do this automatically; the command is for operators and for trying it out.
 */
@Command(scope = "desk", name = "display-source",
        description = "Switches a display's pixel source (vm, unix:/path/vnc.sock or tcp:host:port) without "
                + "disconnecting its viewers; input keeps going to the VM")
@Service
public class DisplaySourceCommand extends DisplayCommand {

    @Argument(index = 1, name = "source", required = true,
            description = "vm | unix:/path/to/vnc.sock | tcp:host:port (with --ca: VeNCrypt TLS)")
    String source;

    @Option(name = "--password", description = "Password of the new source (VNC password, or X509Plain's with --user)")
    String password;

    @Option(name = "--user", description = "User for VeNCrypt X509Plain (needs --ca and --password)")
    String user;

    @Option(name = "--ca", description = "PEM file with the CA the source's TLS certificate must chain to: connects "
            + "with VeNCrypt X509None/X509Vnc/X509Plain")
    String ca;

    @Option(name = "--timeout", description = "Seconds to wait for the new source's first full frame")
    int timeoutSeconds = 10;

    @Override
    public Object execute() {
        VmName vm = vmWithDisplay();
        DisplayInfo display = displays.display(vm).orElseThrow();
        DisplaySource target = parse(source, password, display.inputSource());
        if (ca != null || user != null) {
            if (ca == null || target.tcp() == null) {
                throw ReplayDeskException.invalid("--ca and --user are for tcp:host:port sources (TLS)");
            }
            try {
                target = DisplaySource.tls(target.tcp(), Path.of(ca), user, password);
            } catch (IllegalArgumentException e) {
                throw ReplayDeskException.invalid(e.getMessage());
            }
        }
        SourceSwitch result = displays.switchSource(vm, target, Duration.ofSeconds(timeoutSeconds));
        System.out.printf(Locale.ROOT, "display %s now shows %s: resync %d ms, switch %d ms, %d of %d pixels "
                + "(%.1f%%) differed and were resent%n", vm.value(), result.to().describe(),
                result.resync().toMillis(), result.total().toMillis(), result.changedPixels(), result.totalPixels(),
                result.totalPixels() == 0 ? 0.0 : 100.0 * result.changedPixels() / result.totalPixels());
        return null;
    }

    static DisplaySource parse(String text, String password, DisplaySource vm) {
        if (text.equals("vm")) {
            if (vm == null) {
                throw ReplayDeskException.invalid("this display has no VM source");
            }
            return vm;
        }
        if (text.startsWith("unix:") && text.length() > 5) {
            if (password != null) {
                return new DisplaySource(Path.of(text.substring(5)), null, null, password, null);
            }
            return DisplaySource.unixSocket(Path.of(text.substring(5)));
        }
        if (text.startsWith("tcp:")) {
            String hostPort = text.substring(4);
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0) {
                try {
                    int port = Integer.parseInt(hostPort.substring(colon + 1));
                    if (port > 0 && port < 65536) {
                        return DisplaySource.tcp(InetSocketAddress.createUnresolved(hostPort.substring(0, colon),
                                port), password);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
        }
        throw ReplayDeskException.invalid("source '" + text + "' is not vm, unix:/path/to/vnc.sock or "
                + "tcp:host:port");
    }
}
