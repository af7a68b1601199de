package org.replaydesk.recordlog.internal;

/**
 * Client to server, first and only client frame: which log, from where, with what credentials.
 *
 * @param version protocol version the client speaks
 * @param flags {@link #FLAG_ZLIB} or 0
 * @param startOffset first log byte wanted
 * @param token shared token, empty for none
 * @param vm VM name as given (validated by the server, so that a bad name gets an ERROR frame, not a dropped line)
 */
record HelloFrame(int version, int flags, long startOffset, String token, String vm) implements Frame {

    /** "RDLG": lets a server tell a record-log client from anything else that connects. */
    static final byte[] MAGIC = {'R', 'D', 'L', 'G'};
    static final int MAX_TOKEN_BYTES = 1024;
    static final int MAX_VM_BYTES = 255;
    /** Asks the server to send everything after this frame as one zlib stream, sync-flushed after every frame. */
    static final int FLAG_ZLIB = 0x0001;
    static final int KNOWN_FLAGS = FLAG_ZLIB;
    static final int MIN_PAYLOAD = MAGIC.length + 2 + 2 + 8 + 2 + 1;
    static final int MAX_PAYLOAD = MIN_PAYLOAD + MAX_TOKEN_BYTES + MAX_VM_BYTES;

    @Override
    public byte type() {
        return TYPE_HELLO;
    }

    @Override
    public String toString() {
        // the token is a secret: never in logs or exception messages
        return "HelloFrame[version=" + version + ", flags=" + flags + ", startOffset=" + startOffset + ", token="
                + (token.isEmpty() ? "none" : "set") + ", vm=" + vm + "]";
    }
}
