package org.replaydesk.snapshot;

/** Why a snapshot was taken. */
public enum SnapshotTrigger {
    /** The guest finished booting under record: the first snapshot a client can start from. */
    BOOT,
    /** An operator or a program asked for it. */
    REQUEST,
    /** A replay client joins: a fresh snapshot keeps the log it must replay short. */
    JOIN,
    /** The periodic timer: bounds the log a late joiner replays. */
    PERIODIC
}
