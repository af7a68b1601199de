/**
 * Record-log streaming: a server host publishes the record log of each recording VM
 * ({@link org.replaydesk.recordlog.RecordLogPublisher}), and a replaying client subscribes to it
 * ({@link org.replaydesk.recordlog.RecordLogSubscriber}), receiving the log as ordered (offset, bytes) frames, the
 * server's instruction count in heartbeats, a "lagging" signal when its bounded buffer is full, and the end of the
 * stream once the recorder has finished the log. A subscription survives dropped connections: it resumes at the next
 * offset it needs, with no gap and no duplicate.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.replaydesk.recordlog;
