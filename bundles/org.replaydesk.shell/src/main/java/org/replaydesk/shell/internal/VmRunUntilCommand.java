package org.replaydesk.shell.internal;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Runs a replaying VM up to an instruction count and pauses it there (QMP replay-break). */
@Command(scope = "desk", name = "vm-run-until", description = "Runs a replaying VM to an icount and pauses it there")
@Service
public class VmRunUntilCommand extends VmCommand {

    @Argument(index = 1, name = "icount", required = true, description = "Instruction count to stop at")
    long icount;

    @Option(name = "--timeout", aliases = "-t", description = "Seconds to wait")
    int timeoutSeconds = 300;

    @Override
    public Object execute() {
        long t0 = System.nanoTime();
        vm().runUntil(icount, Duration.ofSeconds(timeoutSeconds));
        System.out.println(String.format("VM %s paused at icount %d after %.1f s", name, icount, (System.nanoTime() - t0) / 1e9));
        return null;
    }
}
