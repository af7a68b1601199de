package org.replaydesk.pager.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ChunkCache;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/**
 * A {@link RemoteImage} over one {@link ChunkConnection}. A read of any byte range takes the chunks it overlaps
 * (fixed or content-defined, found by the manifest's offsets) from the cache, waits for
 * those already being read ahead, and fetches the rest in GETs of at most the server's batch size. Every received
 * chunk is hashed: a mismatch is asked for once more (a network or memory glitch), and a second mismatch fails the
 * read naming the chunk and server.
 *
 * <p>After each read, the next {@code readAhead} chunks the cache lacks are requested without waiting, because
 * replay reads a snapshot mostly in order: the next read then finds them in the cache or in flight, and a sequential
 * reader pays the round trip once instead of once per window. A read-ahead chunk that fails its hash or never comes
 * is simply not cached; the read that needs it fetches it on demand, with the retry above.
 */
final class CachedRemoteImage implements RemoteImage {

    private final ChunkConnection connection;
    private final String server;
    private final Manifest manifest;
    private final ChunkCache cache;
    private final int readAhead;
    private final java.util.concurrent.atomic.AtomicLong chunksFetched = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesFetched = new java.util.concurrent.atomic.AtomicLong();
    /** Chunks requested by read-ahead and not yet cached; completes with the verified bytes, or null. */
    private final Map<ChunkHash, java.util.concurrent.CompletableFuture<byte[]>> inFlight =
            new java.util.concurrent.ConcurrentHashMap<>();

    CachedRemoteImage(ChunkConnection connection, String server, Manifest manifest, ChunkCache cache, int readAhead) {
        this.connection = connection;
        this.server = server;
        this.manifest = manifest;
        this.cache = cache;
        this.readAhead = readAhead;
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    @Override
    public synchronized void read(long offset, byte[] buffer, int bufferOffset, int length) {
        if (offset < 0 || length < 0 || offset + length > manifest.imageSize()) {
            throw ReplayDeskException.invalid("read of " + length + " bytes at " + offset + " is outside image "
                    + manifest.imageId() + " (" + manifest.imageSize() + " bytes)");
        }
        java.util.Objects.checkFromIndexSize(bufferOffset, length, buffer.length);
        if (length == 0) {
            return;
        }
        // Chunks may have any length (format 2), so the range maps to chunk indices through the manifest's offsets.
        int first = manifest.chunkIndexAt(offset);
        int last = manifest.chunkIndexAt(offset + length - 1);
        List<ChunkHash> hashes = manifest.chunks();

        // Chunks of this read held for the copy below, so a cache smaller than the read still works.
        Map<ChunkHash, byte[]> held = new HashMap<>();
        Set<ChunkHash> toFetch = new LinkedHashSet<>();
        for (int i = first; i <= last; i++) {
            ChunkHash h = hashes.get(i);
            if (held.containsKey(h) || toFetch.contains(h)) {
                continue;
            }
            java.util.concurrent.CompletableFuture<byte[]> coming = inFlight.get(h);
            byte[] data = coming != null ? connection.await(coming) : null;
            if (data == null) {
                data = cache.get(h).orElse(null);
            }
            if (data != null) {
                held.put(h, data);
            } else {
                toFetch.add(h);
            }
        }
        if (!toFetch.isEmpty()) {
            fetch(new ArrayList<>(toFetch), held);
        }
        readAhead(last + 1);

        int written = 0;
        for (int i = first; i <= last; i++) {
            byte[] chunk = held.get(hashes.get(i));
            long chunkStart = manifest.chunkOffset(i);
            int from = (int) Math.max(0, offset - chunkStart);
            int to = (int) Math.min(chunk.length, offset + length - chunkStart);
            System.arraycopy(chunk, from, buffer, bufferOffset + written, to - from);
            written += to - from;
        }
    }

    /** Fetches, verifies and caches chunks; the ones this read needs land in {@code held}. */
    private void fetch(List<ChunkHash> wanted, Map<ChunkHash, byte[]> held) {
        List<ChunkHash> retry = new ArrayList<>();
        fetchOnce(wanted, held, retry);
        if (!retry.isEmpty()) {
            List<ChunkHash> failed = new ArrayList<>();
            fetchOnce(retry, held, failed);
            if (!failed.isEmpty()) {
                ChunkHash h = failed.get(0);
                throw ReplayDeskException.failed("chunk " + h + " (chunk " + manifest.chunks().indexOf(h)
                        + " of image " + manifest.imageId() + ") from chunk server " + server + " failed its SHA-256 "
                        + "check twice" + (failed.size() > 1 ? " (and " + (failed.size() - 1) + " more chunks)" : "")
                        + "; the server's store or the network corrupts data", null);
            }
        }
    }

    private void fetchOnce(List<ChunkHash> wanted, Map<ChunkHash, byte[]> held, List<ChunkHash> mismatched) {
        int batch = connection.maxBatch();
        for (int start = 0; start < wanted.size(); start += batch) {
            List<ChunkHash> part = wanted.subList(start, Math.min(wanted.size(), start + batch));
            Map<ChunkHash, byte[]> got = connection.get(List.copyOf(part));
            for (ChunkHash h : part) {
                byte[] data = got.get(h);
                if (data == null) {
                    throw ReplayDeskException.notFound("chunk server " + server + " has no chunk " + h + " (chunk "
                            + manifest.chunks().indexOf(h) + " of image " + manifest.imageId() + "); was the image "
                            + "removed from its store?");
                }
                chunksFetched.incrementAndGet();
                bytesFetched.addAndGet(data.length);
                if (!h.matches(data)) {
                    mismatched.add(h);
                    continue;
                }
                cache.put(h, data);
                held.put(h, data);
            }
        }
    }

    /**
     * Requests the chunks from {@code start} on that the cache lacks, without waiting for them. The window is
     * refilled only once its middle chunk is neither cached nor in flight, so a sequential reader sends one GET per
     * half window rather than one per newly uncovered chunk.
     */
    private void readAhead(int start) {
        List<ChunkHash> hashes = manifest.chunks();
        if (readAhead == 0 || start >= hashes.size()) {
            return;
        }
        ChunkHash middle = hashes.get(Math.min(hashes.size() - 1, start + readAhead / 2));
        if (inFlight.containsKey(middle) || cache.contains(middle)) {
            return;
        }
        List<ChunkHash> wanted = new ArrayList<>();
        for (int i = start; i < Math.min(hashes.size(), start + readAhead); i++) {
            ChunkHash h = hashes.get(i);
            if (!inFlight.containsKey(h) && !cache.contains(h) && !wanted.contains(h)) {
                wanted.add(h);
            }
        }
        int batch = connection.maxBatch();
        for (int from = 0; from < wanted.size(); from += batch) {
            List<ChunkHash> part = List.copyOf(wanted.subList(from, Math.min(wanted.size(), from + batch)));
            for (ChunkHash h : part) {
                inFlight.put(h, new java.util.concurrent.CompletableFuture<>());
            }
            // Hashing and writing to the cache run off the event loop, which must keep reading replies.
            connection.getAsync(part).whenCompleteAsync((got, failure) -> {
                for (ChunkHash h : part) {
                    byte[] data = got == null ? null : got.get(h);
                    try {
                        if (data != null) {
                            chunksFetched.incrementAndGet();
                            bytesFetched.addAndGet(data.length);
                            if (h.matches(data)) {
                                cache.put(h, data);
                            } else {
                                data = null;
                            }
                        }
                    } catch (RuntimeException e) {
                        // A full disk, say: the reader still gets the verified bytes, and the error when it caches.
                    } finally {
                        // Completed before it leaves the map: a reader finds the chunk either here or in the cache.
                        inFlight.get(h).complete(data);
                        inFlight.remove(h);
                    }
                }
            });
        }
    }

    @Override
    public long chunksFetched() {
        return chunksFetched.get();
    }

    @Override
    public long bytesFetched() {
        return bytesFetched.get();
    }

    @Override
    public long wireBytesFetched() {
        return connection.chunkWireBytes();
    }

    @Override
    public void close() {
        connection.close();
    }
}
