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
 * <p>The constructor declares the image ({@code IMAGE NAME SIZE CHUNK_SIZE} from the manifest) unless it is declared
 * already, in which case its size and chunk size must match the manifest. The RemoteImage stays the caller's: close()
 * stops the feeding, it does not close the image.
 */
public final class ImageFeeder implements AutoCloseable {

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

    private void declareOrCheck() {
        ImageStat existing;
        try {
            existing = rdfuse.statImage(name);
        } catch (ReplayDeskException e) {
            if (!e.getMessage().contains("ERR no such file")) {
                throw e;
            }
            rdfuse.declareImage(name, manifest.imageSize(), manifest.chunkSize());
            return;
        }
        if (existing.imageSize() != manifest.imageSize() || existing.chunkSize() != manifest.chunkSize()) {
            throw ReplayDeskException.conflict("rdfuse image " + name + " is declared with size "
                    + existing.imageSize() + " and chunk size " + existing.chunkSize() + ", but image "
                    + manifest.imageId() + " has " + manifest.imageSize() + " and " + manifest.chunkSize());
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
        if (index < 0 || index >= manifest.chunks().size()) {
            answerError(index, "chunk " + index + " is outside image " + manifest.imageId() + " ("
                    + manifest.chunks().size() + " chunks)");
            return;
        }
        byte[] bytes;
        try {
            bytes = image.read((long) index * manifest.chunkSize(), manifest.chunkLength(index));
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
