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
 * A {@link RemoteImage} over one {@link ChunkConnection}. A read takes the chunks it covers from the cache; those
 * missing, plus up to {@code readAhead} following chunks the cache lacks, are fetched in GETs of at most the server's
 * batch size. Read-ahead rides in the same round trip as the demand fetch, because replay reads a snapshot mostly
 * in order and a round trip costs more than a few extra chunks. Every received chunk is hashed: a mismatch is asked
 * for once more (a network or memory glitch), and a second mismatch fails the read naming the chunk and server.
 */
final class CachedRemoteImage implements RemoteImage {

    private final ChunkConnection connection;
    private final String server;
    private final Manifest manifest;
    private final ChunkCache cache;
    private final int readAhead;
    private long chunksFetched;
    private long bytesFetched;

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
        int chunkSize = manifest.chunkSize();
        int first = (int) (offset / chunkSize);
        int last = (int) ((offset + length - 1) / chunkSize);
        List<ChunkHash> hashes = manifest.chunks();

        // Chunks of this read held for the copy below, so a cache smaller than the read still works.
        Map<ChunkHash, byte[]> held = new HashMap<>();
        Set<ChunkHash> toFetch = new LinkedHashSet<>();
        for (int i = first; i <= last; i++) {
            ChunkHash h = hashes.get(i);
            if (!held.containsKey(h) && !toFetch.contains(h)) {
                Optional<byte[]> cached = cache.get(h);
                if (cached.isPresent()) {
                    held.put(h, cached.get());
                } else {
                    toFetch.add(h);
                }
            }
        }
        if (!toFetch.isEmpty()) {
            for (int i = last + 1; i <= Math.min(hashes.size() - 1, last + readAhead); i++) {
                ChunkHash h = hashes.get(i);
                if (!held.containsKey(h) && !cache.contains(h)) {
                    toFetch.add(h);
                }
            }
            fetch(new ArrayList<>(toFetch), held);
        }

        int written = 0;
        for (int i = first; i <= last; i++) {
            byte[] chunk = held.get(hashes.get(i));
            long chunkStart = (long) i * chunkSize;
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
                chunksFetched++;
                bytesFetched += data.length;
                if (!h.matches(data)) {
                    mismatched.add(h);
                    continue;
                }
                cache.put(h, data);
                held.put(h, data);
            }
        }
    }

    @Override
    public synchronized long chunksFetched() {
        return chunksFetched;
    }

    @Override
    public synchronized long bytesFetched() {
        return bytesFetched;
    }

    @Override
    public void close() {
        connection.close();
    }
}
