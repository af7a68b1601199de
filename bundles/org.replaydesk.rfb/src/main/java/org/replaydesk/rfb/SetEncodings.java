package org.replaydesk.rfb;

import java.util.List;

/**
 * SetEncodings (client message 2): the encodings and pseudo-encodings the client supports, in order of preference.
 *
 * @param encodings signed 32-bit encoding numbers (see {@link Encodings})
 */
public record SetEncodings(List<Integer> encodings) implements ClientMessage {

    /** The decoder refuses more than this many entries; no real client sends more than a few dozen. */
    public static final int MAX_ENCODINGS = 1024;

    /** Copies the list; the count is a U16 on the wire. */
    public SetEncodings {
        encodings = List.copyOf(encodings);
        if (encodings.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many encodings for a U16 count: " + encodings.size());
        }
    }

    /**
     * @param encodings encoding numbers
     * @return the message
     */
    public static SetEncodings of(Integer... encodings) {
        return new SetEncodings(List.of(encodings));
    }

    /**
     * @param encoding an encoding or pseudo-encoding number
     * @return whether the client listed it
     */
    public boolean supports(int encoding) {
        return encodings.contains(encoding);
    }

    /**
     * The JPEG quality the client asked for with pseudo-encodings -32..-23 (the first one listed wins).
     *
     * @return 0..9, or -1 if the client sent none (then Tight must not use JPEG)
     */
    public int jpegQuality() {
        for (int e : encodings) {
            if (e >= Encodings.JPEG_QUALITY_LEVEL_0 && e <= Encodings.JPEG_QUALITY_LEVEL_9) {
                return e - Encodings.JPEG_QUALITY_LEVEL_0;
            }
        }
        return -1;
    }

    /**
     * The zlib level the client asked for with pseudo-encodings -256..-247.
     *
     * @return 0..9, or -1 if the client sent none
     */
    public int compressLevel() {
        for (int e : encodings) {
            if (e >= Encodings.COMPRESS_LEVEL_0 && e <= Encodings.COMPRESS_LEVEL_9) {
                return e - Encodings.COMPRESS_LEVEL_0;
            }
        }
        return -1;
    }
}
