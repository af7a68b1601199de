package org.replaydesk.shell.internal;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.api.action.Completion;

/** Saves the VM's current screen as PNG. */
@Command(scope = "desk", name = "vm-screendump", description = "Saves a VM's screen as a PNG file")
@Service
public class VmScreendumpCommand extends VmCommand {

    @Argument(index = 1, name = "file", required = true, description = "PNG file to write (relative to the Karaf folder)")
    @Completion(FileCompleter.class)
    String file;

    @Override
    public Object execute() {
        Path target = Path.of(file).toAbsolutePath();
        vm().screendump(target);
        System.out.println("Screen of " + name + " saved to " + target);
        return null;
    }
}
