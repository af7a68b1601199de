package org.replaydesk.recordlog.internal;

/**
 * Client to server, first and only client frame: which log, from where, with what credentials.
 *
 * @param version protocol version the client speaks
 * @param startOffset first log byte wanted
 * @param token shared token, empty for none
 * @param vm VM name as given (validated by the server, so that a bad name gets an ERROR frame, not a dropped line)
 */
record HelloFrame(int version, long startOffset, String token, String vm) implements Frame {

    /** "RDLG": lets a server tell a record-log client from anything else that connects. */
    static final byte[] MAGIC = {'R', 'D', 'L', 'G'};
    static final int MAX_TOKEN_BYTES = 1024;
    static final int MAX_VM_BYTES = 255;
    static final int MIN_PAYLOAD = MAGIC.length + 2 + 8 + 2 + 1;
    static final int MAX_PAYLOAD = MIN_PAYLOAD + MAX_TOKEN_BYTES + MAX_VM_BYTES;

    @Override
    public byte type() {
        return TYPE_HELLO;
    }

    @Override
    public String toString() {
        // the token is a secret: never in logs or exception messages
        return "HelloFrame[version=" + version + ", startOffset=" + startOffset + ", token="
                + (token.isEmpty() ? "none" : "set") + ", vm=" + vm + "]";
    }
}
