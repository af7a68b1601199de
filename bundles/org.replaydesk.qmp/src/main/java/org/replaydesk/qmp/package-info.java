/**
 * Client for the QEMU Machine Protocol (QMP) over a unix domain socket.
 *
 * <p>{@link org.replaydesk.qmp.QmpClient#connect(java.nio.file.Path, java.time.Duration)} opens a session;
 * the client matches replies to requests by {@code id}, delivers asynchronous events to listeners and offers
 * typed helpers for what ReplayDesk needs from QEMU 7.2: run state, record/replay, screendumps, input
 * injection and internal snapshots. Every failure is an unchecked {@link org.replaydesk.qmp.QmpException}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.replaydesk.qmp;
