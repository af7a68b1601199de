package org.replaydesk.pager.internal;

import java.util.List;
import org.replaydesk.pager.ChunkHash;

/**
 * The chunk protocol's messages, one record per message; the README's "Protocol" section gives their bytes. Every
 * message travels in a frame: type (1 byte), payload length (4 bytes, big-endian), payload.
 */
sealed interface PagerMessage {

    /**
     * The newest protocol version: 2 adds {@link CompressedChunk} and the session requests ({@link
     * SessionSnapshotRequest}, {@link SessionStatusRequest}); 3 adds variable chunks: a {@link ManifestReply} may hold
     * a format 2 manifest (content-defined chunks of their own lengths); 4 adds the VM's CPU time and network bytes to
     * {@link SessionStatusReply}. A client offers it in {@link Hello}; a server answers with the version both speak
     * ({@link #VERSION_1} for an old client), and refuses versions it does not know.
     */
    int VERSION = 4;
    /** The version that added {@link CompressedChunk} and the session requests. */
    int VERSION_2 = 2;
    /** The version that added variable chunks (format 2 manifests); older clients get an {@link Error} for them. */
    int VERSION_VARIABLE_CHUNKS = 3;
    /**
     * The version that added the VM's counters to {@link SessionStatusReply}; older clients get the reply without
     * them (their decoders reject bytes after a frame's content).
     */
    int VERSION_VM_COUNTERS = 4;
    /** The first version: chunks travel as they are. */
    int VERSION_1 = 1;
    /** "RDPG": the first bytes a client sends, so a server can tell a stray connection from a pager client. */
    int MAGIC = 0x52445047;
    /** Most hashes in one {@link Get}. */
    int MAX_BATCH = 1024;
    /** Longest token, reason or image id, in UTF-8 bytes. */
    int MAX_TEXT = 1024;
    /**
     * Largest manifest JSON: 2^20 chunks of about 67 bytes each (format 1; about 75 with format 2's lengths), with
     * room to spare.
     */
    int MAX_MANIFEST = 96 << 20;

    /** Client to server, first message: protocol version and the shared token (empty when none is configured). */
    record Hello(int version, String token) implements PagerMessage {
        static final int TYPE = 0x01;

        @Override
        public String toString() {
            // The token never reaches logs.
            return "Hello[version=" + version + ", token=" + (token.isEmpty() ? "none" : "***") + "]";
        }
    }

    /** Client to server: the manifest of an image, answered by {@link ManifestReply} or {@link Error}. */
    record ManifestRequest(String imageId) implements PagerMessage {
        static final int TYPE = 0x02;
    }

    /**
     * Client to server: chunks, answered by one {@link Chunk} or {@link Missing} (version 2: or {@link CompressedChunk})
     * per hash, in request order.
     */
    record Get(List<ChunkHash> hashes) implements PagerMessage {
        static final int TYPE = 0x03;
    }

    /**
     * Client to server, version 2: take a JOIN snapshot of a VM for a two-host session; answered by {@link
     * SessionSnapshotReply} or {@link Error}. Like {@link SessionStatusRequest}, it must not overlap other requests on
     * its connection (the client waits for every earlier reply first, and sends nothing until this one's).
     */
    record SessionSnapshotRequest(String vm) implements PagerMessage {
        static final int TYPE = 0x04;
    }

    /**
     * Client to server, version 2: a VM's record log size and relay display; answered by {@link SessionStatusReply}
     * or {@link Error}.
     */
    record SessionStatusRequest(String vm) implements PagerMessage {
        static final int TYPE = 0x05;
    }

    /** Server to client: the hello is accepted; requests may follow. */
    record Welcome(int version, int maxBatch) implements PagerMessage {
        static final int TYPE = 0x81;
    }

    /** Server to client: the hello is refused (wrong token, unsupported version), and the server closes. */
    record Refused(String reason) implements PagerMessage {
        static final int TYPE = 0x82;
    }

    /**
     * Server to client: a manifest in its JSON form; a format 2 manifest only to a client of version 3 or later (an
     * older one gets {@link Error} {@link ErrorCode#CLIENT_TOO_OLD} instead: it would misread it).
     */
    record ManifestReply(String json) implements PagerMessage {
        static final int TYPE = 0x83;
    }

    /** Server to client: one chunk's bytes. */
    record Chunk(ChunkHash hash, byte[] data) implements PagerMessage {
        static final int TYPE = 0x84;

        @Override
        public boolean equals(Object o) {
            return o instanceof Chunk c && hash.equals(c.hash) && java.util.Arrays.equals(data, c.data);
        }

        @Override
        public int hashCode() {
            return hash.hashCode();
        }

        @Override
        public String toString() {
            return "Chunk[" + hash + ", " + data.length + " bytes]";
        }

        /** @return bytes of this message's frame on the wire */
        int wireLength() {
            return PagerFrameDecoder.HEADER + ChunkHash.LENGTH + data.length;
        }
    }

    /** Server to client: the store has no chunk with this hash. */
    record Missing(ChunkHash hash) implements PagerMessage {
        static final int TYPE = 0x85;
    }

    /** Server to client: a request failed; codes in {@link ErrorCode}. */
    record Error(int code, String message) implements PagerMessage {
        static final int TYPE = 0x86;
    }

    /**
     * Server to client, version 2 only: one chunk's bytes, raw deflate (RFC 1951, no zlib or gzip wrapper). The frame
     * carries the hash, the uncompressed length (u32) and the deflate stream; the decoder inflates it (at most the
     * declared length, which is at most {@link org.replaydesk.pager.Manifest#MAX_CHUNK_SIZE}, and exactly that) and
     * keeps both forms: {@code data} for the reader, {@code deflated} for the wire size (and the encoder).
     */
    record CompressedChunk(ChunkHash hash, byte[] data, byte[] deflated) implements PagerMessage {
        static final int TYPE = 0x87;

        @Override
        public boolean equals(Object o) {
            return o instanceof CompressedChunk c && hash.equals(c.hash) && java.util.Arrays.equals(data, c.data)
                    && java.util.Arrays.equals(deflated, c.deflated);
        }

        @Override
        public int hashCode() {
            return hash.hashCode();
        }

        @Override
        public String toString() {
            return "CompressedChunk[" + hash + ", " + data.length + " bytes in " + deflated.length + "]";
        }

        /** @return bytes of this message's frame on the wire */
        int wireLength() {
            return PagerFrameDecoder.HEADER + ChunkHash.LENGTH + 4 + deflated.length;
        }
    }

    /** Server to client, version 2: the JOIN snapshot's tag and how long the VM stalled for it, in microseconds. */
    record SessionSnapshotReply(String tag, long stallMicros) implements PagerMessage {
        static final int TYPE = 0x88;
    }

    /**
     * Server to client, version 2: a VM's status. The damage (pixels per second, an IEEE 754 double) and input count
     * are negative when the server does not measure them.
     *
     * <p>Version 4 appends the VM's counters: the CPU time its process has used (nanoseconds) and the bytes its
     * network has carried, both cumulative since the VM started, -1 when unknown (any negative on the wire reads as
     * -1). {@code hasVmCounters} tells which form a reply has: a server sends the longer form only on connections of
     * {@link #VERSION_VM_COUNTERS} or later, and a decoder tells the two apart by the frame's length.
     */
    record SessionStatusReply(long recordLogBytes, String displayHost, int displayPort, String displaySecurity,
            double damagedPixelsPerSecond, int inputEvents, long vmCpuNanos, long vmNetworkBytes,
            boolean hasVmCounters) implements PagerMessage {
        static final int TYPE = 0x89;
        /** Bytes the VM counters add to the payload: two s64. */
        static final int VM_COUNTERS_LENGTH = 8 + 8;

        public SessionStatusReply {
            vmCpuNanos = Math.max(-1, vmCpuNanos);
            vmNetworkBytes = Math.max(-1, vmNetworkBytes);
            if (!hasVmCounters && (vmCpuNanos >= 0 || vmNetworkBytes >= 0)) {
                throw new IllegalArgumentException("a SESSION-STATUS-REPLY without VM counters (the form before "
                        + "version " + VERSION_VM_COUNTERS + ") cannot carry CPU time " + vmCpuNanos
                        + " or network bytes " + vmNetworkBytes);
            }
        }

        /** The form of versions 2 and 3, without the VM counters. */
        public SessionStatusReply(long recordLogBytes, String displayHost, int displayPort, String displaySecurity,
                double damagedPixelsPerSecond, int inputEvents) {
            this(recordLogBytes, displayHost, displayPort, displaySecurity, damagedPixelsPerSecond, inputEvents, -1,
                    -1, false);
        }

        /** The form of version 4, with the VM counters (-1: unknown). */
        public SessionStatusReply(long recordLogBytes, String displayHost, int displayPort, String displaySecurity,
                double damagedPixelsPerSecond, int inputEvents, long vmCpuNanos, long vmNetworkBytes) {
            this(recordLogBytes, displayHost, displayPort, displaySecurity, damagedPixelsPerSecond, inputEvents,
                    vmCpuNanos, vmNetworkBytes, true);
        }
    }

    /** {@link Error} codes. */
    final class ErrorCode {
        /** The requested image is not in the store. */
        static final int NO_SUCH_IMAGE = 1;
        /** The request broke the protocol; the server closes after sending this. */
        static final int BAD_REQUEST = 2;
        /** The server failed (its store could not be read). */
        static final int SERVER_FAILURE = 3;
        /** A session request reached a server without a session agent: "sessions are not served here". */
        static final int SESSIONS_NOT_SERVED = 4;
        /** A session request named a VM the server does not run. */
        static final int NO_SUCH_VM = 5;
        /** The session agent could not do the request now (the VM is not recording, a snapshot runs, ...). */
        static final int SESSION_CONFLICT = 6;
        /**
         * The image has content-defined chunks (a format 2 manifest), which the client's protocol version (below 3)
         * cannot carry; it must be upgraded.
         */
        static final int CLIENT_TOO_OLD = 7;

        private ErrorCode() {
        }
    }
}
