package org.replaydesk.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.replaydesk.api.hypervisor.Hypervisor;

/** Completes the names of defined VMs. */
@Service
public class VmNameCompleter implements Completer {

    @Reference
    Hypervisor hypervisor;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        hypervisor.list().forEach(vm -> delegate.getStrings().add(vm.name().value()));
        return delegate.complete(session, commandLine, candidates);
    }
}
