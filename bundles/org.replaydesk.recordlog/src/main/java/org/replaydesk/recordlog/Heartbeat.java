package org.replaydesk.recordlog;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * The server's view of the recording at one moment.
 *
 * @param icount the recorder's instruction count, sampled at most one heartbeat interval before {@code logSize};
 *               empty when the recorder could not tell
 * @param logSize the log file's size when the heartbeat was sent (the server had streamed everything below it)
 * @param serverTime the server's clock when it sent the heartbeat
 */
public record Heartbeat(OptionalLong icount, long logSize, Instant serverTime) {
}
