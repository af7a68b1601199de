/**
 * The replay client: shows a recording VM's screen on this host by replaying the VM. A {@link
 * org.replaydesk.replay.ReplayService} starts a {@link org.replaydesk.replay.ReplaySession} for a VM on a server
 * host (or this one): it reads the VM's snapshot catalog from the server's chunk server, mounts the live record log
 * and the snapshot image (paged in on demand) with the rdfuse helper, starts QEMU with {@code rr=replay} from the
 * snapshot, and reports how far the replayer trails the recorder.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.replaydesk.replay;
