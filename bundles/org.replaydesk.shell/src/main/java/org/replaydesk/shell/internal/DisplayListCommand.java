package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;

/** Lists the RFB relay displays (one per running VM) that viewers connect to. */
@Command(scope = "desk", name = "display-list", description = "Lists VNC displays served by ReplayDesk's relay")
@Service
public class DisplayListCommand implements Action {

    @Reference
    DisplayService displays;

    @Option(name = "--no-format", description = "Plain tab-separated output without borders")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("VM");
        table.column("Address");
        table.column("Viewers");
        table.column("Size");
        table.column("Upstream");
        table.column("WebSocket");
        table.column("Pixels from");
        if (noFormat) {
            System.out.println("VM\tAddress\tViewers\tSize\tUpstream\tWebSocket\tPixels from");
        }
        for (DisplayInfo d : displays.displays()) {
            String[] row = {d.vm().value(), d.address().getHostString() + ":" + d.address().getPort(),
                Integer.toString(d.viewers()), d.width() + "x" + d.height(), d.connected() ? "connected" : "down",
                d.webSocket() == null ? "-" : d.webSocket().getHostString() + ":" + d.webSocket().getPort(),
                d.sourceSwitched() ? d.source().describe() : "vm"};
            if (noFormat) {
                System.out.println(String.join("\t", row));
            } else {
                table.addRow().addContent((Object[]) row);
            }
        }
        if (!noFormat) {
            table.print(System.out);
        }
        return null;
    }
}
