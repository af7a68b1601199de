package org.replaydesk.replay.internal.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reply/NEED sorting of rdfuse's control output, in every fragmentation, and what breaks it. */
class ControlLineReaderTest {

    /** Replies of several commands with NEED lines between them, as rdfuse sends them (LF-terminated). */
    static final String STREAM = "OK PONG rdfuse 2\n"
            + "NEED img 0\n"
            + "OK chunks=3\n"
            + "ERR length index=0 expected=16384 got=100\n"
            + "NEED img 1 2\n"
            + "NEED other.qcow2 7 8 9 4294967\n"
            + "OK\n"
            + "OK 0 duplicate\r\n"             // a CR before the LF is tolerated
            + "OK received=4096 asked=4096 served=4096 state=live blocked=1 opens=1 reads=2 maxread=8192 "
            + "bytesread=4096 start=0\n";

    static final List<String> EXPECTED = List.of(
            "reply OK PONG rdfuse 2",
            "need img [0]",
            "reply OK chunks=3",
            "reply ERR length index=0 expected=16384 got=100",
            "need img [1, 2]",
            "need other.qcow2 [7, 8, 9, 4294967]",
            "reply OK",
            "reply OK 0 duplicate",
            "reply OK received=4096 asked=4096 served=4096 state=live blocked=1 opens=1 reads=2 maxread=8192 "
                    + "bytesread=4096 start=0");

    private static final class Recorder implements ControlLineReader.Handler {
        final List<String> events = new ArrayList<>();

        @Override
        public void reply(String line) {
            events.add("reply " + line);
        }

        @Override
        public void need(String name, int[] indices) {
            events.add("need " + name + " " + Arrays.toString(indices));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void wholeStreamInOneRead() throws Exception {
        Recorder r = new Recorder();
        ControlLineReader reader = new ControlLineReader(r);
        reader.accept(ByteBuffer.wrap(bytes(STREAM)));
        assertEquals(EXPECTED, r.events);
        assertEquals(0, reader.pending());
    }

    @Test
    void byteAtATime() throws Exception {
        Recorder r = new Recorder();
        ControlLineReader reader = new ControlLineReader(r);
        for (byte b : bytes(STREAM)) {
            reader.accept(ByteBuffer.wrap(new byte[] {b}));
        }
        assertEquals(EXPECTED, r.events);
    }

    @Test
    void twoPiecesAtEverySplit() throws Exception {
        byte[] all = bytes(STREAM);
        for (int split = 0; split <= all.length; split++) {
            Recorder r = new Recorder();
            ControlLineReader reader = new ControlLineReader(r);
            reader.accept(ByteBuffer.wrap(all, 0, split));
            reader.accept(ByteBuffer.wrap(all, split, all.length - split));
            assertEquals(EXPECTED, r.events, "split at " + split);
        }
    }

    @Test
    void anUnfinishedLineIsHeldBack() throws Exception {
        Recorder r = new Recorder();
        ControlLineReader reader = new ControlLineReader(r);
        reader.accept(ByteBuffer.wrap(bytes("OK 12")));
        assertEquals(List.of(), r.events);
        assertEquals(5, reader.pending());
        reader.accept(ByteBuffer.wrap(bytes("\n")));
        assertEquals(List.of("reply OK 12"), r.events);
    }

    @Test
    void aLineOfExactly4096BytesIsFineOneMoreIsNot() throws Exception {
        Recorder r = new Recorder();
        String longest = "ERR " + "x".repeat(ControlLineReader.MAX_LINE - 4);
        new ControlLineReader(r).accept(ByteBuffer.wrap(bytes(longest + "\n")));
        assertEquals(List.of("reply " + longest), r.events);

        ControlLineReader reader = new ControlLineReader(new Recorder());
        // No LF: the reader must give up after 4096 (+1 for a CR) bytes, not buffer without bound.
        RdfuseProtocolException e = assertThrows(RdfuseProtocolException.class,
                () -> reader.accept(ByteBuffer.wrap(bytes("ERR " + "y".repeat(10_000)))));
        assertEquals("rdfuse sent a line longer than 4096 bytes (starting \"ERR " + "y".repeat(56) + "\")",
                e.getMessage());
    }

    @Test
    void garbageIsAProtocolErrorNamingTheLine() {
        assertEquals("rdfuse sent a line that is neither OK, ERR nor NEED: \"HELLO there\"", error("HELLO there\n"));
        assertEquals("rdfuse sent a line that is neither OK, ERR nor NEED: \"OKAY\"", error("OKAY\n"));
        assertEquals("rdfuse sent a line that is neither OK, ERR nor NEED: \"\"", error("\n"));
        assertEquals("rdfuse sent a line with a byte that is not printable ASCII (0x0 at 2): \"OK\\x00\"",
                error("OK\0\n"));
        assertEquals("rdfuse sent a line with a byte that is not printable ASCII (0xff at 3): \"OK \\xff\"",
                error("OK \u00ff\n"));
        assertEquals("rdfuse sent a malformed NEED line: \"NEED img\"", error("NEED img\n"));
        assertEquals("rdfuse sent a malformed NEED line: \"NEED ../x 1\"", error("NEED ../x 1\n"));
        assertEquals("rdfuse sent a NEED line with a bad index \"-1\": \"NEED img -1\"", error("NEED img -1\n"));
        assertEquals("rdfuse sent a NEED line with a bad index \"\": \"NEED img 1  2\"", error("NEED img 1  2\n"));
        assertEquals("rdfuse sent a NEED line with an index out of range: \"NEED img 9999999999\"",
                error("NEED img 9999999999\n"));
        assertTrue(error("NEED img " + "1 ".repeat(2000) + "1\n").startsWith("rdfuse sent a malformed NEED line"));
    }

    private static String error(String input) {
        byte[] raw = input.getBytes(StandardCharsets.ISO_8859_1);
        return assertThrows(RdfuseProtocolException.class,
                () -> new ControlLineReader(new Recorder()).accept(ByteBuffer.wrap(raw))).getMessage();
    }
}
