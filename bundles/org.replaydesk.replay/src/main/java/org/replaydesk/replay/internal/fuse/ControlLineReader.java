package org.replaydesk.replay.internal.fuse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits what rdfuse sends on its control connection into lines and sorts them: replies ({@code OK[ ...]} or
 * {@code ERR ...}, one per command, in order) and unsolicited {@code NEED NAME INDEX...} lines. Bytes may arrive in
 * any fragmentation. Anything else breaks the protocol and is reported as a {@link RdfuseProtocolException}, after
 * which the reader must not be used again: once a line is garbage there is no telling where the next reply starts.
 * Not thread-safe: one reader thread owns it.
 */
final class ControlLineReader {

    /** rdfuse's own limit for a line (without the LF); a longer one is not something rdfuse sends. */
    static final int MAX_LINE = 4096;

    /** NEED lines hold at most 64 indices; a few more are tolerated, never an unbounded array. */
    private static final int MAX_NEED_INDICES = 1024;

    /** Receives the sorted lines. */
    interface Handler {
        /** A reply line: {@code OK}, {@code OK ...} or {@code ERR ...} without its LF. */
        void reply(String line) throws RdfuseProtocolException;

        /** A {@code NEED} line. */
        void need(String name, int[] indices) throws RdfuseProtocolException;
    }

    private final Handler handler;
    private final byte[] line = new byte[MAX_LINE + 1];   // + a trailing CR, which rdfuse never sends but is allowed
    private int length;

    ControlLineReader(Handler handler) {
        this.handler = handler;
    }

    /** Consumes every remaining byte of {@code input}, handing out each completed line. */
    void accept(ByteBuffer input) throws RdfuseProtocolException {
        while (input.hasRemaining()) {
            byte b = input.get();
            if (b == '\n') {
                int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                length = 0;
                dispatch(end);
            } else if (length == line.length) {
                throw new RdfuseProtocolException("rdfuse sent a line longer than " + MAX_LINE + " bytes (starting \""
                        + printable(line, 0, 60) + "\")");
            } else {
                line[length++] = b;
            }
        }
    }

    /** Bytes of an unfinished line held back (0 between lines). */
    int pending() {
        return length;
    }

    private void dispatch(int end) throws RdfuseProtocolException {
        for (int i = 0; i < end; i++) {
            if (line[i] < 0x20 || line[i] > 0x7e) {
                throw new RdfuseProtocolException("rdfuse sent a line with a byte that is not printable ASCII (0x"
                        + Integer.toHexString(line[i] & 0xff) + " at " + i + "): \"" + printable(line, 0, end) + "\"");
            }
        }
        String text = new String(line, 0, end, StandardCharsets.US_ASCII);
        if (text.equals("OK") || text.startsWith("OK ") || text.startsWith("ERR ")) {
            handler.reply(text);
        } else if (text.startsWith("NEED ")) {
            parseNeed(text);
        } else {
            throw new RdfuseProtocolException("rdfuse sent a line that is neither OK, ERR nor NEED: \""
                    + printable(line, 0, end) + "\"");
        }
    }

    private void parseNeed(String text) throws RdfuseProtocolException {
        String[] fields = text.split(" ", -1);
        if (fields.length < 3 || fields.length - 2 > MAX_NEED_INDICES || !RdfuseProcess.isValidName(fields[1])) {
            throw new RdfuseProtocolException("rdfuse sent a malformed NEED line: \"" + text + "\"");
        }
        int[] indices = new int[fields.length - 2];
        for (int i = 0; i < indices.length; i++) {
            String field = fields[i + 2];
            if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new RdfuseProtocolException("rdfuse sent a NEED line with a bad index \"" + field + "\": \""
                        + text + "\"");
            }
            long index = Long.parseLong(field);
            if (index > Integer.MAX_VALUE) {
                throw new RdfuseProtocolException("rdfuse sent a NEED line with an index out of range: \"" + text
                        + "\"");
            }
            indices[i] = (int) index;
        }
        handler.need(fields[1], indices);
    }

    /** Up to {@code max} bytes for an error message, non-printable bytes as \xNN. */
    static String printable(byte[] bytes, int from, int max) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(bytes.length, from + max);
        for (int i = from; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b <= 0x7e && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "ControlLineReader[" + Arrays.toString(Arrays.copyOf(line, length)) + "]";
    }
}
