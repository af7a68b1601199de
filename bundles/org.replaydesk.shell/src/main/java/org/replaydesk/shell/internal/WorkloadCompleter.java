package org.replaydesk.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.replaydesk.api.hypervisor.Hypervisor;

/** Completes the demo guest's workload names. */
@Service
public class WorkloadCompleter implements Completer {

    @Reference
    Hypervisor hypervisor;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(hypervisor.workloads()).complete(session, commandLine, candidates);
    }
}
