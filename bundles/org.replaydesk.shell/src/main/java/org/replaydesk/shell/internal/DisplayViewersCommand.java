package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;

/** Lists the viewers connected to one VM's display with what each is sent. */
@Command(scope = "desk", name = "display-viewers",
        description = "Lists the viewers of a VM's VNC display: RFB version, encoding and traffic")
@Service
public class DisplayViewersCommand extends DisplayCommand {

    @Override
    public Object execute() {
        String[] header = {"Viewer", "Address", "RFB", "Encoding", "Input", "Bytes/s", "Frames/s",
            "Total"};
        ShellTable table = new ShellTable();
        for (int i = 0; i < header.length; i++) {
            if (i >= 5) {
                table.column(header[i]).alignRight(); // the numbers
            } else {
                table.column(header[i]);
            }
        }
        if (noFormat) {
            System.out.println(String.join("\t", header));
        }
        for (ViewerInfo v : displays.viewers(vmWithDisplay())) {
            TrafficStats t = v.traffic();
            String[] row = {v.id(), address(v.remoteAddress()), v.protocolVersion().isEmpty() ? "-"
                : v.protocolVersion(), v.encoding(), v.viewOnly() ? "view-only" : "control", byteRate(t.bytesPerSecond()), rate(t.framesPerSecond()),
                bytes(t.totalBytes())};
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
