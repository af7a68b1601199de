package org.replaydesk.pager.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ChunkStore;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;

/**
 * A {@link ChunkStore} in a folder: {@code chunks/ab/abcd...} (one file per chunk, named by its hash, fanned out by
 * the first two hex digits so no folder grows huge) and {@code manifests/ID.json}. Files appear by an atomic rename
 * of a finished temporary file, so a crash never leaves a half-written chunk under a valid name, and readers need no
 * lock.
 */
public final class FileChunkStore implements ChunkStore {

    private final Path dir;
    private final Path chunksDir;
    private final Path manifestsDir;
    private final int chunkSize;
    /** Null: fixed-size chunks of {@code chunkSize} (format 1 manifests). */
    private final ContentDefinedChunker chunker;

    /**
     * A store cutting new images into fixed-size chunks (format 1 manifests).
     *
     * @param dir the store's folder (created when missing)
     * @param chunkSize chunk size for new imports
     */
    public FileChunkStore(Path dir, int chunkSize) {
        this(dir, chunkSize, null);
    }

    /**
     * @param dir the store's folder (created when missing)
     * @param chunkSize chunk size for new imports when {@code chunker} is null
     * @param chunker cuts new imports into content-defined chunks (format 2 manifests); null: fixed chunks
     */
    public FileChunkStore(Path dir, int chunkSize, ContentDefinedChunker chunker) {
        this.chunkSize = Manifest.checkChunkSize(chunkSize);
        this.chunker = chunker;
        this.dir = dir;
        this.chunksDir = dir.resolve("chunks");
        this.manifestsDir = dir.resolve("manifests");
        try {
            Files.createDirectories(chunksDir);
            Files.createDirectories(manifestsDir);
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot create the chunk store folder " + dir + ": " + e, e);
        }
    }

    /** @return the fixed chunk size, or with content-defined chunking the longest chunk a new import may have */
    @Override
    public int chunkSize() {
        return chunker == null ? chunkSize : chunker.maxSize();
    }

    /** @return the content-defined chunker of new imports, or null when they get fixed chunks */
    ContentDefinedChunker chunker() {
        return chunker;
    }

    /**
     * Imports and removals are serialised, so a removal never deletes a chunk that an import running at the same time
     * has just found present and counted on. Reads take no lock: a chunk file is either there, whole, or not.
     *
     * <p>The file is streamed through a buffer of two longest chunks: a cut needs a longest chunk's bytes ahead (or
     * the file's end), and the buffer is refilled whenever fewer remain, so memory stays bounded for any image size.
     */
    @Override
    public synchronized Manifest importImage(String imageId, Path image, ImportProgress progress) {
        Manifest.checkImageId(imageId);
        long size;
        List<ChunkHash> hashes = new ArrayList<>();
        IntList lengths = new IntList();
        long stored = 0;
        int longest = chunkSize();
        try (InputStream in = Files.newInputStream(image)) {
            size = Files.size(image);
            // Fixed chunks never need bytes beyond the chunk being cut.
            byte[] buffer = new byte[chunker == null ? longest : 2 * longest];
            int start = 0;
            int end = 0;
            long read = 0;
            long done = 0;
            ZeroChunks zeroChunks = new ZeroChunks();
            while (true) {
                if (end - start < longest && read < size) {
                    System.arraycopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                    int want = (int) Math.min(buffer.length - end, size - read);
                    int got = in.readNBytes(buffer, end, want);
                    if (got < want) {
                        throw ReplayDeskException.failed("image " + image + " shrank while it was being chunked "
                                + "(read " + (read + got) + " of " + size + " bytes); snapshot images must not change",
                                null);
                    }
                    end += got;
                    read += got;
                }
                if (start == end) {
                    break;
                }
                int length = chunker == null ? Math.min(chunkSize, end - start) : chunker.cut(buffer, start, end - start);
                ChunkHash hash = zeroChunks.isZero(buffer, start, length) ? zeroChunks.hash(length)
                        : ChunkHash.of(buffer, start, length);
                hashes.add(hash);
                lengths.add(length);
                if (writeChunk(hash, buffer, start, length)) {
                    stored += length;
                }
                start += length;
                done += length;
                progress.progress(done, size, stored);
            }
            progress.progress(done, size, stored);
        } catch (NoSuchFileException e) {
            throw ReplayDeskException.notFound("image file " + image + " does not exist");
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot chunk image " + image + " into " + chunksDir.getParent() + ": "
                    + e, e);
        }
        Manifest manifest = chunker == null ? new Manifest(imageId, size, chunkSize, hashes)
                : new Manifest(imageId, size, ContentDefinedChunker.NAME, hashes, lengths.toArray());
        try {
            byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
            writeAtomically(manifestsDir.resolve(imageId + ".json"), json, 0, json.length);
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot write the manifest of " + imageId + " into " + manifestsDir
                    + ": " + e, e);
        }
        return manifest;
    }

    /** A growable int array: an image of 16 GiB has half a million chunks, not worth boxing each length. */
    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** @return whether the chunk was new */
    private boolean writeChunk(ChunkHash hash, byte[] data, int offset, int length) throws IOException {
        Path file = chunkFile(hash);
        if (Files.exists(file)) {
            return false;
        }
        Files.createDirectories(file.getParent());
        writeAtomically(file, data, offset, length);
        return true;
    }

    private static void writeAtomically(Path target, byte[] data, int offset, int length) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".import-", ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp)) {
                out.write(data, offset, length);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    Path chunkFile(ChunkHash hash) {
        String hex = hash.hex();
        return chunksDir.resolve(hex.substring(0, 2)).resolve(hex);
    }

    @Override
    public synchronized boolean removeImage(String imageId) {
        Optional<Manifest> removed = manifest(imageId);
        if (removed.isEmpty()) {
            return false;
        }
        try {
            Files.delete(manifestsDir.resolve(imageId + ".json"));
            java.util.Set<ChunkHash> unused = new java.util.HashSet<>(removed.get().chunks());
            for (String other : imageIds()) {
                manifest(other).ifPresent(m -> unused.removeAll(m.chunks()));
            }
            for (ChunkHash h : unused) {
                Files.deleteIfExists(chunkFile(h));
            }
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot remove image " + imageId + " from " + dir + ": " + e, e);
        }
        return true;
    }

    @Override
    public Optional<Manifest> manifest(String imageId) {
        Manifest.checkImageId(imageId);
        Path file = manifestsDir.resolve(imageId + ".json");
        try {
            return Optional.of(Manifest.fromJson(Files.readString(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot read manifest " + file + ": " + e, e);
        } catch (ReplayDeskException e) {
            throw ReplayDeskException.failed("manifest " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> imageIds() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(manifestsDir, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                ids.add(name.substring(0, name.length() - ".json".length()));
            }
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot list " + manifestsDir + ": " + e, e);
        }
        Collections.sort(ids);
        return ids;
    }

    @Override
    public Optional<byte[]> chunk(ChunkHash hash) {
        try {
            return Optional.of(Files.readAllBytes(chunkFile(hash)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot read chunk " + chunkFile(hash) + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /**
     * Hashes of all-zero chunks by length. A snapshot's memory image is mostly zero (a 256 MiB guest using 60 MiB),
     * and its export is on the path of a display-to-replay switch: checking a chunk for zeros is far cheaper than
     * SHA-256, and every zero chunk of one length has the same hash.
     */
    private static final class ZeroChunks {
        private final java.util.Map<Integer, ChunkHash> hashes = new java.util.HashMap<>();
        private byte[] zeros = new byte[0];

        boolean isZero(byte[] data, int offset, int length) {
            if (zeros.length < length) {
                zeros = new byte[length];
            }
            return java.util.Arrays.mismatch(data, offset, offset + length, zeros, 0, length) < 0;
        }

        ChunkHash hash(int length) {
            return hashes.computeIfAbsent(length, n -> ChunkHash.of(new byte[n], 0, n));
        }
    }
}
