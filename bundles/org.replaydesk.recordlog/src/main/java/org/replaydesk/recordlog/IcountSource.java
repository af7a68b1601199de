package org.replaydesk.recordlog;

import java.util.OptionalLong;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the publisher learns how far the recording VM has got, for the heartbeats it sends. Called from one
 * publisher thread about every heartbeat interval; it may block briefly (a QMP {@code query-replay}), but never for
 * long, because a slow answer delays the next sample.
 */
@ConsumerType
@FunctionalInterface
public interface IcountSource {

    /** @return guest instructions executed so far, or empty when the VM cannot tell (not running, monitor gone) */
    OptionalLong icount();
}
