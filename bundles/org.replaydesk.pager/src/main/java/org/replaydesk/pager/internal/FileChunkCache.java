package org.replaydesk.pager.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.CacheStats;
import org.replaydesk.pager.ChunkCache;
import org.replaydesk.pager.ChunkHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChunkCache} in a folder, one file per chunk named by its hash. The LRU order lives in memory (an
 * access-ordered map) and is mirrored in the files' modification times, touched on every hit, so a restarted cache
 * rebuilds the same order from the folder. Files appear by atomic rename, so a crash leaves at worst a temporary
 * file, deleted at the next open. Reads are verified against the hash because a cache on disk outlives processes
 * and can be damaged by anything; a damaged chunk is dropped and counts as a miss.
 */
public final class FileChunkCache implements ChunkCache {

    private static final Logger LOG = LoggerFactory.getLogger(FileChunkCache.class);

    private final Path dir;
    private final long sizeLimit;
    /** Chunk sizes in LRU order (eldest first); guarded by this. */
    private final LinkedHashMap<ChunkHash, Integer> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long corrupted;
    private long evictions;
    private long bytesStored;
    private long bytesEvicted;

    /**
     * Opens the cache, keeping what an earlier process left in the folder (down to the size limit).
     *
     * @param dir the cache folder (created when missing)
     * @param sizeLimit most bytes of chunks kept
     */
    public FileChunkCache(Path dir, long sizeLimit) {
        if (sizeLimit <= 0) {
            throw ReplayDeskException.invalid("cache size limit " + sizeLimit + " must be positive");
        }
        this.dir = dir;
        this.sizeLimit = sizeLimit;
        record Found(ChunkHash hash, long size, FileTime used) {
        }
        List<Found> found = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        Files.deleteIfExists(f);
                        continue;
                    }
                    ChunkHash hash;
                    try {
                        hash = ChunkHash.parse(name);
                    } catch (ReplayDeskException e) {
                        LOG.warn("Chunk cache {}: ignoring {}, which is not named by a chunk hash", dir, f);
                        continue;
                    }
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    found.add(new Found(hash, a.size(), a.lastModifiedTime()));
                }
            }
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot open the chunk cache folder " + dir + ": " + e, e);
        }
        found.sort(Comparator.comparing(Found::used));
        for (Found f : found) {
            entries.put(f.hash(), (int) f.size());
            bytes += f.size();
        }
        synchronized (this) {
            evictToLimit(0);
        }
    }

    @Override
    public Optional<byte[]> get(ChunkHash hash) {
        synchronized (this) {
            if (entries.get(hash) == null) {
                misses++;
                return Optional.empty();
            }
        }
        Path file = file(hash);
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            // Evicted between the lookup and the read, or removed by hand.
            forget(hash, false);
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("Chunk cache: cannot read {}, dropping it: {}", file, e.toString());
            forget(hash, true);
            return Optional.empty();
        }
        if (!hash.matches(data)) {
            LOG.warn("Chunk cache: {} does not match its hash (damaged on disk); dropping it, it will be fetched again",
                    file);
            forget(hash, true);
            return Optional.empty();
        }
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // Only the LRU order after a restart suffers.
        }
        synchronized (this) {
            hits++;
        }
        return Optional.of(data);
    }

    private void forget(ChunkHash hash, boolean damaged) {
        synchronized (this) {
            Integer size = entries.remove(hash);
            if (size != null) {
                bytes -= size;
            }
            misses++;
            if (damaged) {
                corrupted++;
            }
        }
        if (damaged) {
            try {
                Files.deleteIfExists(file(hash));
            } catch (IOException e) {
                LOG.warn("Chunk cache: cannot delete damaged chunk {}: {}", file(hash), e.toString());
            }
        }
    }

    @Override
    public synchronized boolean contains(ChunkHash hash) {
        return entries.containsKey(hash);
    }

    @Override
    public void put(ChunkHash hash, byte[] data) {
        if (data.length > sizeLimit) {
            return;
        }
        synchronized (this) {
            if (entries.containsKey(hash)) {
                return;
            }
        }
        Path target = file(hash);
        try {
            Path tmp = Files.createTempFile(dir, ".put-", ".tmp");
            try {
                Files.write(tmp, data);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot write chunk " + hash + " into the chunk cache " + dir + " (disk "
                    + "full? lower the cache size limit): " + e, e);
        }
        synchronized (this) {
            if (entries.put(hash, data.length) == null) {
                bytes += data.length;
                bytesStored += data.length;
            }
            evictToLimit(data.length);
        }
    }

    /** Evicts eldest chunks until the cache fits its limit; the newest entry, just put, is kept. */
    private void evictToLimit(int newest) {
        Iterator<Map.Entry<ChunkHash, Integer>> it = entries.entrySet().iterator();
        while (bytes > sizeLimit && entries.size() > (newest > 0 ? 1 : 0) && it.hasNext()) {
            Map.Entry<ChunkHash, Integer> eldest = it.next();
            it.remove();
            bytes -= eldest.getValue();
            evictions++;
            bytesEvicted += eldest.getValue();
            try {
                Files.deleteIfExists(file(eldest.getKey()));
            } catch (IOException e) {
                LOG.warn("Chunk cache: cannot delete evicted chunk {}: {}", file(eldest.getKey()), e.toString());
            }
        }
    }

    private Path file(ChunkHash hash) {
        return dir.resolve(hash.hex());
    }

    @Override
    public long sizeLimit() {
        return sizeLimit;
    }

    @Override
    public synchronized CacheStats stats() {
        return new CacheStats(hits, misses, corrupted, evictions, bytesStored, bytesEvicted, entries.size(), bytes,
                sizeLimit);
    }

    /** @return the folder, for tests and diagnostics */
    Path dir() {
        return dir;
    }
}
