package org.replaydesk.replay.internal.fuse;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds an rdfuse IMAGE from a pager {@link RemoteImage}: every chunk rdfuse asks for with NEED is read from the
 * image (the pager's cache, or the chunk server) and sent with CHUNK, or with CHUNKERR carrying the pager's message
 * if it cannot be had (the reader waiting for it gets EIO instead of hanging). The work runs on a small pool of its
 * own, never on rdfuse's reader thread, which must stay free to match replies.
 *
 * <p>rdfuse's chunks are fixed-size blocks ({@link #blockSize}), independent of the pager's chunks: a format 1 image
 * keeps its chunk size (one block is one pager chunk), a format 2 image (content-defined chunks of varying lengths,
 * which rdfuse's protocol cannot describe) gets {@link #VARIABLE_CHUNKS_BLOCK_SIZE}; block i is read as the byte
 * range {@code [i * blockSize, ...)} of the image, which the pager serves from whatever chunks overlap it.
 *
 * <p>The constructor declares the image ({@code IMAGE NAME SIZE BLOCK_SIZE}) unless it is declared already, in which
 * case its size and block size must match. The RemoteImage stays the caller's: close() stops the feeding, it does not
 * close the image.
 */
public final class ImageFeeder implements AutoCloseable {

    /**
     * rdfuse block size of images with content-defined chunks: 64 KiB, twice their average chunk by default, so a
     * block costs a few chunk lookups and QEMU's reads (up to 64 KiB) rarely span two blocks.
     */
    public static final int VARIABLE_CHUNKS_BLOCK_SIZE = 65536;

    private static final Logger LOG = LoggerFactory.getLogger(ImageFeeder.class);

    private final RdfuseProcess rdfuse;
    private final String name;
    private final RemoteImage image;
    private final Manifest manifest;
    private final ExecutorService workers;
    private final NeedListener listener = this::need;
    private final AtomicLong chunksServed = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong chunkErrors = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param rdfuse the helper serving the image
     * @param name the image's file name in the mount
     * @param image where the chunks come from
     * @param threads workers fetching and sending chunks (1 or more)
     */
    public ImageFeeder(RdfuseProcess rdfuse, String name, RemoteImage image, int threads) {
        if (threads < 1) {
            throw ReplayDeskException.invalid("an image feeder needs at least one thread, not " + threads);
        }
        this.rdfuse = rdfuse;
        this.name = name;
        this.image = image;
        this.manifest = image.manifest();
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> RdfuseProcess.daemon(r, "image-feeder " + name + " #" + count.incrementAndGet()));
        // Listen before declaring: the first NEED can come right after IMAGE's reply.
        rdfuse.registerNeedListener(name, listener);
        try {
            declareOrCheck();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * @param manifest a pager image
     * @return the block size rdfuse serves it in: its chunk size for fixed chunks, else {@link
     *     #VARIABLE_CHUNKS_BLOCK_SIZE}
     */
    public static int blockSize(Manifest manifest) {
        return manifest.format() == Manifest.FORMAT_FIXED ? manifest.chunkSize() : VARIABLE_CHUNKS_BLOCK_SIZE;
    }

    /** @return blocks of {@link #blockSize} in the image */
    private long blocks() {
        long block = blockSize(manifest);
        return (manifest.imageSize() + block - 1) / block;
    }

    private void declareOrCheck() {
        int blockSize = blockSize(manifest);
        ImageStat existing;
        try {
            existing = rdfuse.statImage(name);
        } catch (ReplayDeskException e) {
            if (!e.getMessage().contains("ERR no such file")) {
                throw e;
            }
            rdfuse.declareImage(name, manifest.imageSize(), blockSize);
            return;
        }
        if (existing.imageSize() != manifest.imageSize() || existing.chunkSize() != blockSize) {
            throw ReplayDeskException.conflict("rdfuse image " + name + " is declared with size "
                    + existing.imageSize() + " and chunk size " + existing.chunkSize() + ", but image "
                    + manifest.imageId() + " needs " + manifest.imageSize() + " and " + blockSize);
        }
    }

    /** On rdfuse's reader thread: only queue the work. */
    private void need(String needName, int[] indices) {
        for (int index : indices) {
            try {
                workers.execute(() -> serve(index));
            } catch (RejectedExecutionException e) {
                LOG.debug("image {}: NEED {} after close", name, Arrays.toString(indices));
                return;
            }
        }
    }

    private void serve(int index) {
        if (closed) {
            return;
        }
        long blocks = blocks();
        if (index < 0 || index >= blocks) {
            answerError(index, "chunk " + index + " is outside image " + manifest.imageId() + " (" + blocks
                    + " blocks of " + blockSize(manifest) + " bytes)");
            return;
        }
        byte[] bytes;
        try {
            long offset = (long) index * blockSize(manifest);
            bytes = image.read(offset, (int) Math.min(blockSize(manifest), manifest.imageSize() - offset));
        } catch (RuntimeException e) {
            LOG.warn("image {}: chunk {} cannot be fetched: {}", name, index, e.getMessage());
            answerError(index, e.getMessage() == null ? e.toString() : e.getMessage());
            return;
        }
        try {
            rdfuse.chunk(name, index, bytes);
            chunksServed.incrementAndGet();
            bytesServed.addAndGet(bytes.length);
        } catch (ReplayDeskException e) {
            if (!closed) {
                LOG.warn("image {}: sending chunk {} to rdfuse failed: {}", name, index, e.getMessage());
            }
        }
    }

    private void answerError(int index, String reason) {
        chunkErrors.incrementAndGet();
        try {
            rdfuse.chunkError(name, index, reason);
        } catch (ReplayDeskException e) {
            if (!closed) {
                LOG.warn("image {}: CHUNKERR {} failed: {}", name, index, e.getMessage());
            }
        }
    }

    /** @return the image's file name in the mount */
    public String name() {
        return name;
    }

    /** @return chunks sent to rdfuse */
    public long chunksServed() {
        return chunksServed.get();
    }

    /** @return chunk bytes sent to rdfuse */
    public long bytesServed() {
        return bytesServed.get();
    }

    /** @return chunks answered with CHUNKERR */
    public long chunkErrors() {
        return chunkErrors.get();
    }

    /** Stops answering NEED (readers of chunks not yet sent keep waiting until rdfuse goes away). Idempotent. */
    @Override
    public void close() {
        closed = true;
        rdfuse.unregisterNeedListener(name, listener);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
