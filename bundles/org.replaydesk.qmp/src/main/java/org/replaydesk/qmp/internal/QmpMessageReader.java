package org.replaydesk.qmp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.replaydesk.qmp.QmpException;

/**
 * Splits the byte stream from QEMU into QMP messages.
 *
 * <p>QEMU writes each message as one JSON object followed by {@code "\r\n"} and never puts a raw line break
 * inside one (its JSON writer escapes them), so a line is a message. Bytes are kept until the line end
 * arrives, which makes any fragmentation harmless, including a UTF-8 sequence split across reads. A line
 * longer than {@link #DEFAULT_MAX_MESSAGE_BYTES} or one that is not a single JSON object is a protocol error:
 * the reader throws and stays failed, and the connection must be closed, because the stream position can no
 * longer be trusted.
 *
 * <p>Not thread-safe: one instance belongs to the reader thread.
 */
public final class QmpMessageReader {

    /** Largest message accepted: far above any real QMP reply, low enough to stop a runaway peer. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private static final int SNIPPET_CHARS = 120;

    private final ObjectMapper mapper;
    private final int maxMessageBytes;
    private byte[] buffer = new byte[8192];
    private int length;
    /** Bytes before this index are known to contain no line end; avoids rescanning a long partial line. */
    private int scanned;
    private QmpException failure;

    /**
     * @param mapper parses each line; must fail on trailing tokens
     */
    public QmpMessageReader(ObjectMapper mapper) {
        this(mapper, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * @param mapper parses each line; must fail on trailing tokens
     * @param maxMessageBytes longest accepted line, without its line end
     */
    public QmpMessageReader(ObjectMapper mapper, int maxMessageBytes) {
        this.mapper = mapper;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Consumes a chunk and returns the messages it completed.
     *
     * @param chunk bytes from position to limit; fully consumed
     * @return complete messages in arrival order, possibly none
     * @throws QmpException on an oversized or malformed message, and on every call after that
     */
    public List<ObjectNode> feed(ByteBuffer chunk) {
        byte[] bytes = new byte[chunk.remaining()];
        chunk.get(bytes);
        return feed(bytes, 0, bytes.length);
    }

    /**
     * Consumes a chunk and returns the messages it completed.
     *
     * @param chunk source array
     * @param offset first byte to consume
     * @param count number of bytes to consume
     * @return complete messages in arrival order, possibly none
     * @throws QmpException on an oversized or malformed message, and on every call after that
     */
    public List<ObjectNode> feed(byte[] chunk, int offset, int count) {
        List<ObjectNode> messages = new ArrayList<>();
        feed(chunk, offset, count, messages::add);
        return messages;
    }

    /**
     * Consumes a chunk and hands each completed message to {@code sink} as soon as it is parsed, so that the
     * messages before a bad line still arrive (a reply just before garbage is not lost).
     *
     * @param chunk source array
     * @param offset first byte to consume
     * @param count number of bytes to consume
     * @param sink receives complete messages in arrival order
     * @throws QmpException on an oversized or malformed message, and on every call after that; an exception
     *     from {@code sink} also leaves this reader failed, since its position in the stream is then lost
     */
    public void feed(byte[] chunk, int offset, int count, Consumer<ObjectNode> sink) {
        if (failure != null) {
            throw failure;
        }
        append(chunk, offset, count);
        int lineStart = 0;
        for (int i = scanned; i < length; i++) {
            if (buffer[i] == '\n') {
                ObjectNode message = parseLine(lineStart, i);
                lineStart = i + 1;
                if (message != null) {
                    try {
                        sink.accept(message);
                    } catch (RuntimeException e) {
                        fail(e instanceof QmpException q ? q : new QmpException("handling a QMP message failed", e));
                        throw e;
                    }
                }
            }
        }
        System.arraycopy(buffer, lineStart, buffer, 0, length - lineStart);
        length -= lineStart;
        scanned = length;
        if (length > maxMessageBytes) {
            throw fail(new QmpException("QMP message exceeds " + maxMessageBytes + " bytes without a line end"));
        }
    }

    /** @return bytes of an incomplete message held back, for diagnostics and tests */
    public int pendingBytes() {
        return length;
    }

    private void append(byte[] chunk, int offset, int count) {
        if (length + count > buffer.length) {
            // Grow at least to what is needed (plus one byte so an oversize line is detected), never far past the
            // limit, so a peer that never sends a line end cannot make us allocate much more than the limit.
            int needed = length + count;
            int grown = Math.max(needed, Math.min(buffer.length * 2, maxMessageBytes + 1));
            buffer = Arrays.copyOf(buffer, grown);
        }
        System.arraycopy(chunk, offset, buffer, length, count);
        length += count;
    }

    private ObjectNode parseLine(int start, int newline) {
        int end = newline;
        if (end > start && buffer[end - 1] == '\r') {
            end--;
        }
        if (end - start > maxMessageBytes) {
            throw fail(new QmpException("QMP message exceeds " + maxMessageBytes + " bytes without a line end"));
        }
        if (isBlank(start, end)) {
            return null; // QEMU sends none, but a stray empty line carries no message and no harm
        }
        JsonNode node;
        try {
            node = mapper.readTree(buffer, start, end - start);
        } catch (JsonProcessingException e) {
            throw fail(new QmpException("malformed JSON from QEMU (" + e.getOriginalMessage() + "): "
                    + snippet(start, end), e));
        } catch (IOException e) {
            throw fail(new QmpException("unreadable QMP message from QEMU: " + snippet(start, end), e));
        }
        if (!(node instanceof ObjectNode object)) {
            throw fail(new QmpException("QMP message is not a JSON object: " + snippet(start, end)));
        }
        return object;
    }

    private boolean isBlank(int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = buffer[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private String snippet(int start, int end) {
        // Only the start of the line: enough to recognise what arrived without dumping megabytes (or secrets
        // further in) into the log.
        String text = new String(buffer, start, Math.min(end - start, SNIPPET_CHARS * 4), StandardCharsets.UTF_8);
        return text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "..." : text;
    }

    private QmpException fail(QmpException e) {
        failure = e;
        buffer = new byte[0];
        length = 0;
        scanned = 0;
        return e;
    }
}
