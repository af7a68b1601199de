package org.replaydesk.shell.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.api.VmName;
import org.replaydesk.display.vnc.TrafficStats;

/** Shows one VM display's traffic: totals over its viewers, bytes per encoding, and what QEMU sends the relay. */
@Command(scope = "desk", name = "display-stats",
        description = "Shows a VM display's traffic: viewer totals, bytes per encoding, upstream rates")
@Service
public class DisplayStatsCommand extends DisplayCommand {

    @Override
    public Object execute() {
        VmName vm = vmWithDisplay();
        TrafficStats s = displays.stats(vm).orElseThrow(() -> new IllegalStateException("display of " + vm.value()
                + " closed while reading it"));
        int viewers = displays.viewers(vm).size();
        String window = s.window().toSeconds() + "s";
        String shortWindow = s.shortWindow().toSeconds() + "s";
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Viewers", Integer.toString(viewers)});
        rows.add(new String[] {"Bytes/s (" + window + ")", byteRate(s.bytesPerSecond())});
        rows.add(new String[] {"Frames/s (" + window + ")", rate(s.framesPerSecond())});
        rows.add(new String[] {"Bytes/s (" + shortWindow + ")", byteRate(s.shortBytesPerSecond())});
        rows.add(new String[] {"Frames/s (" + shortWindow + ")", rate(s.shortFramesPerSecond())});
        rows.add(new String[] {"Total bytes", bytes(s.totalBytes())});
        rows.add(new String[] {"Total frames", Long.toString(s.totalFrames())});
        s.bytesByEncoding().forEach((encoding, n) -> rows.add(new String[] {"Bytes " + encoding, bytes(n)}));
        rows.add(new String[] {"Upstream bytes/s (" + window + ")", byteRate(s.upstreamBytesPerSecond())});
        rows.add(new String[] {"Upstream updates/s (" + window + ")", rate(s.upstreamUpdatesPerSecond())});
        if (noFormat) {
            System.out.println("Metric\tValue");
            rows.forEach(r -> System.out.println(String.join("\t", r)));
        } else {
            ShellTable table = new ShellTable();
            table.column("Metric");
            table.column("Value").alignRight();
            rows.forEach(r -> table.addRow().addContent((Object[]) r));
            table.print(System.out);
        }
        return null;
    }
}
