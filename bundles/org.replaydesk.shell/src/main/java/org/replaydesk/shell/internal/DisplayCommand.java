package org.replaydesk.shell.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.display.vnc.DisplayService;

/** Base of the commands that look at one VM's display: the VM argument, the display service, {@code --no-format}. */
public abstract class DisplayCommand implements Action {

    @Reference
    DisplayService displays;

    @Option(name = "--no-format", description = "Plain tab-separated output without borders; rates and sizes as raw "
            + "numbers (bytes, per second)")
    boolean noFormat;

    @Argument(index = 0, name = "vm", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    /** The VM; NOT_FOUND naming it when it has no open display. */
    protected VmName vmWithDisplay() {
        VmName vm = VmName.of(name);
        if (displays.display(vm).isEmpty()) {
            throw ReplayDeskException.notFound("VM " + vm.value() + " has no open display: it is not running, or its "
                    + "display failed to open (see the log); desk:display-list shows the open ones");
        }
        return vm;
    }

    /** A byte rate: "12.3 KiB/s", or whole bytes per second with {@code --no-format}. */
    String byteRate(double bytesPerSecond) {
        return noFormat ? String.format(Locale.ROOT, "%.0f", bytesPerSecond)
                : Formats.bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** A count rate with one decimal. */
    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }

    /** A byte count: "1.5 MiB", or the number of bytes with {@code --no-format}. */
    String bytes(long n) {
        return noFormat ? Long.toString(n) : Formats.bytes(n);
    }

    static String address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : String.valueOf(a);
    }
}
