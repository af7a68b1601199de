package org.replaydesk.recordlog.internal;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.recordlog.Heartbeat;
import org.replaydesk.recordlog.RecordLogSink;

/**
 * A test sink: keeps every byte, fails on any gap or duplicate (each DATA must start exactly where the last ended),
 * records arrival times per end offset, and can be slow on purpose.
 */
final class CollectingSink implements RecordLogSink {

    /** How a stream ended. */
    record End(long finalSize, byte[] header) {
    }

    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private long next;
    volatile String orderError;
    final CompletableFuture<Object> terminal = new CompletableFuture<>();
    final List<Boolean> laggingSignals = new CopyOnWriteArrayList<>();
    final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<Long, Long> arrivalNanosByEnd = new ConcurrentHashMap<>();
    final AtomicInteger dataCalls = new AtomicInteger();
    volatile long delayMillisPerData;

    CollectingSink(long startOffset) {
        this.next = startOffset;
    }

    @Override
    public synchronized void onData(long offset, byte[] bytes) {
        long now = System.nanoTime();
        if (offset != next && orderError == null) {
            orderError = "DATA at " + offset + " but the next byte is " + next;
        }
        next = offset + bytes.length;
        data.write(bytes, 0, bytes.length);
        arrivalNanosByEnd.put(next, now);
        dataCalls.incrementAndGet();
        if (delayMillisPerData > 0) {
            try {
                Thread.sleep(delayMillisPerData);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {
        heartbeats.add(heartbeat);
    }

    @Override
    public void onLagging(boolean lagging) {
        laggingSignals.add(lagging);
    }

    @Override
    public void onEnd(long finalSize, byte[] header) {
        terminal.complete(new End(finalSize, header));
    }

    @Override
    public void onError(ReplayDeskException error) {
        terminal.complete(error);
    }

    synchronized byte[] bytes() {
        return data.toByteArray();
    }

    synchronized long next() {
        return next;
    }

    End awaitEnd(long seconds) throws Exception {
        Object t = terminal.get(seconds, TimeUnit.SECONDS);
        if (t instanceof ReplayDeskException e) {
            throw new AssertionError("stream failed instead of ending: " + e.getMessage(), e);
        }
        return (End) t;
    }

    ReplayDeskException awaitError(long seconds) throws Exception {
        Object t = terminal.get(seconds, TimeUnit.SECONDS);
        if (t instanceof ReplayDeskException e) {
            return e;
        }
        throw new AssertionError("stream ended instead of failing: " + t);
    }
}
