package org.replaydesk.replay.internal.fuse;

/**
 * Receives rdfuse's unsolicited {@code NEED NAME INDEX...} lines: a read or write on image {@code name} waits for
 * these chunks. Called on the control connection's reader thread, so it must not block (hand the work to another
 * thread): the replies to every command wait behind it.
 */
@FunctionalInterface
public interface NeedListener {
    /**
     * @param name the image's name
     * @param indices chunk indices (each asked for once until it arrives or fails)
     */
    void need(String name, int[] indices);
}
