package org.replaydesk.replay.internal.fuse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running rdfuse process (native-hooks/fuse) and its control connection. Thread-safe: commands are written one
 * at a time and may overlap in flight; a single reader thread matches the replies to them in order (rdfuse answers
 * every command with exactly one line, in order) and hands the unsolicited {@code NEED} lines to the need listeners.
 * Every command waits at most the timeout given to {@link #start}: a helper that does not answer in time, sends
 * something that is not its protocol, closes the connection or exits is considered dead, and every pending and later
 * command fails at once with a {@link ReplayDeskException} naming why.
 */
public final class RdfuseProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RdfuseProcess.class);

    /** The control protocol this class speaks (PING answers {@code OK PONG rdfuse 2}). */
    static final String PROTOCOL_VERSION = "2";

    /** rdfuse's file names: 1-200 of [A-Za-z0-9._-], not starting with a dot. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    /** Longest reason sent in ABORT/CHUNKERR: the whole line must stay under rdfuse's 4096 bytes. */
    private static final int MAX_REASON = 1000;

    /** Unix socket paths are limited to 107 bytes (sun_path). */
    private static final int MAX_SOCKET_PATH = 107;

    /** How long close() waits for QUIT and for the process to exit before it kills it. */
    private static final Duration QUIT_WAIT = Duration.ofSeconds(5);

    private static final String HOW_TO_BUILD = "build it with `make -C native-hooks fuse` in the ReplayDesk source "
            + "tree (needs the Debian packages libfuse3-dev fuse3 pkg-config; the binary is "
            + "native-hooks/target/fuse/rdfuse) and install it where the replay client is configured to look";

    private final Process process;             // null when driven over a given channel (tests)
    private final Path mountPoint;
    private final String mountedAs;            // the mount point as /proc/mounts spells it; null: not ours to unmount
    private final SocketChannel channel;
    private final Duration timeout;
    private final StderrTail stderr;
    private final Object writeLock = new Object();
    private final Queue<PendingReply> pending = new ConcurrentLinkedQueue<>();
    private final ScheduledThreadPoolExecutor watchdog;
    private final Map<String, NeedListener> needListeners = new ConcurrentHashMap<>();
    private final AtomicReference<String> broken = new AtomicReference<>();
    private final AtomicBoolean exitReported = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private volatile NeedListener needListener;
    private volatile Consumer<String> exitListener;
    private volatile boolean closing;

    private record PendingReply(String command, CompletableFuture<String> reply) {
    }

    private RdfuseProcess(Process process, Path mountPoint, String mountedAs, SocketChannel channel, Duration timeout,
            StderrTail stderr) {
        this.process = process;
        this.mountPoint = mountPoint;
        this.mountedAs = mountedAs;
        this.channel = channel;
        this.timeout = timeout;
        this.stderr = stderr;
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "rdfuse-watchdog " + mountPoint));
        this.watchdog.setRemoveOnCancelPolicy(true);
        this.reader = daemon(this::readReplies, "rdfuse-control " + mountPoint);
        this.reader.start();
        if (process != null) {
            process.onExit().thenRun(() -> {
                stderr.awaitEnd(Duration.ofSeconds(1));
                markBroken("rdfuse exited with status " + process.exitValue() + stderr.describe());
            });
        }
    }

    /**
     * Spawns {@code binary --control <socket> --spool <spool> <mountPoint>} (creating the mount point and spool
     * folders), waits for its {@code READY} line, connects to its control socket and checks that it speaks protocol
     * version 2. The control socket is {@code spool/.control.sock} (rdfuse file names cannot start with a dot), or a
     * fresh temporary folder if that path is too long for a unix socket. A stale mount left by a helper that died is
     * unmounted first.
     *
     * @param binary the rdfuse executable
     * @param mountPoint where the files appear
     * @param spool where rdfuse keeps the received bytes (kept at exit: the caller deletes them)
     * @param timeout for the start and for every command later
     * @return the running helper
     * @throws ReplayDeskException UNAVAILABLE if the binary is missing, rdfuse does not start in time or exits (with
     *     its stderr), or speaks another protocol
     */
    public static RdfuseProcess start(Path binary, Path mountPoint, Path spool, Duration timeout) {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw ReplayDeskException.unavailable("the rdfuse helper " + binary + " is missing or not executable: "
                    + HOW_TO_BUILD);
        }
        String mountedAs;
        Path socket;
        try {
            Files.createDirectories(mountPoint.toAbsolutePath().getParent());
            // toRealPath of a dead FUSE mount fails (ENOTCONN): resolve the parent, which is a normal folder.
            mountedAs = mountPoint.toAbsolutePath().getParent().toRealPath().resolve(mountPoint.getFileName())
                    .toString();
            if (MountTable.isMounted(mountedAs)) {
                LOG.warn("{} is still mounted (a helper that died?): unmounting it before starting rdfuse", mountedAs);
                MountTable.unmountLazily(mountedAs);
            }
            Files.createDirectories(mountPoint);
            Files.createDirectories(spool);
            socket = spool.toAbsolutePath().resolve(".control.sock");
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                socket = Files.createTempDirectory("rdfuse").resolve("control.sock");
            }
        } catch (IOException e) {
            throw ReplayDeskException.unavailable("cannot prepare rdfuse's mount point " + mountPoint + " and spool "
                    + spool + ": " + e);
        }
        Process process;
        try {
            process = new ProcessBuilder(binary.toString(), "--control", socket.toString(), "--spool",
                    spool.toString(), mountPoint.toString()).start();
        } catch (IOException e) {
            throw ReplayDeskException.unavailable("cannot run the rdfuse helper " + binary + " (" + e.getMessage()
                    + "): " + HOW_TO_BUILD);
        }
        try {
            process.getOutputStream().close();     // rdfuse reads nothing from stdin
        } catch (IOException e) {
            // harmless
        }
        StderrTail stderr = new StderrTail(process.getErrorStream(), "rdfuse " + mountPoint);
        CompletableFuture<String> ready = new CompletableFuture<>();
        daemon(() -> readStdout(process.getInputStream(), ready), "rdfuse-stdout " + mountPoint).start();
        RdfuseProcess started = null;
        try {
            String line = awaitReady(process, ready, timeout, stderr, binary);
            if (!line.startsWith("READY")) {
                throw ReplayDeskException.unavailable("rdfuse " + binary + " printed \"" + line
                        + "\" instead of READY" + stderr.describe());
            }
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                channel.close();
                throw ReplayDeskException.unavailable("cannot connect to rdfuse's control socket " + socket + ": "
                        + e.getMessage() + stderr.describe());
            }
            started = new RdfuseProcess(process, mountPoint, mountedAs, channel, timeout, stderr);
            String pong;
            try {
                pong = started.command("PING");
            } catch (ReplayDeskException e) {
                throw ReplayDeskException.unavailable("rdfuse " + binary + " does not answer PING: " + e.getMessage());
            }
            if (!pong.equals("PONG rdfuse " + PROTOCOL_VERSION)) {
                throw ReplayDeskException.unavailable("rdfuse " + binary + " answered PING with \"OK " + pong
                        + "\"; this ReplayDesk needs \"OK PONG rdfuse " + PROTOCOL_VERSION + "\": " + HOW_TO_BUILD);
            }
            LOG.info("rdfuse {} mounted {} (spool {})", binary, mountPoint, spool);
            return started;
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.close();
            } else {
                process.destroyForcibly();
                try {
                    process.waitFor(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (MountTable.isMounted(mountedAs)) {
                    MountTable.unmountLazily(mountedAs);
                }
            }
            if (e instanceof ReplayDeskException rde) {
                throw rde;
            }
            throw ReplayDeskException.unavailable("cannot start rdfuse " + binary + ": " + e);
        }
    }

    /**
     * Drives an rdfuse-speaking peer over an already connected channel, without a process: for tests with a fake
     * peer. Nothing is unmounted at close.
     */
    static RdfuseProcess overChannel(SocketChannel channel, Path mountPoint, Duration timeout) {
        return new RdfuseProcess(null, mountPoint, null, channel, timeout, new StderrTail(null, "peer"));
    }

    private static String awaitReady(Process process, CompletableFuture<String> ready, Duration timeout,
            StderrTail stderr, Path binary) {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ReplayDeskException.unavailable("rdfuse " + binary + " did not report READY within " + timeout
                    + stderr.describe());
        } catch (ExecutionException e) {
            // stdout closed before READY: rdfuse failed (no /dev/fuse, mount refused, bad arguments...)
            int status;
            try {
                process.waitFor(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                stderr.awaitEnd(Duration.ofSeconds(1));
                status = process.isAlive() ? -1 : process.exitValue();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                status = -1;
            }
            throw ReplayDeskException.unavailable("rdfuse " + binary + " exited"
                    + (status >= 0 ? " with status " + status : "") + " before it was ready" + stderr.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable("interrupted while waiting for rdfuse to start");
        }
    }

    private static void readStdout(InputStream stdout, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!ready.complete(line)) {
                    LOG.info("rdfuse stdout: {}", line);
                }
            }
        } catch (IOException e) {
            // the process is gone; the exit is reported elsewhere
        }
        ready.completeExceptionally(new IOException("rdfuse closed its stdout"));
    }

    public static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** @return where the files appear */
    public Path mountPoint() {
        return mountPoint;
    }

    /** @return the helper's process id (-1 when driven over a given channel) */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** @return true while the helper runs and its control connection works */
    public boolean isAlive() {
        return broken.get() == null && (process == null || process.isAlive());
    }

    /** @return why the helper or its connection is gone, if it is */
    public java.util.Optional<String> failure() {
        return java.util.Optional.ofNullable(broken.get());
    }

    // ---- commands -------------------------------------------------------------------------------------------------

    /** @return PING's answer without the OK, {@code PONG rdfuse 2} */
    public String ping() {
        return command("PING");
    }

    /**
     * Declares a live record log: {@code LOG NAME} or, with a start offset, {@code LOG NAME START} (the stream
     * begins there; below it the file reads as zeros but for the forced version header).
     *
     * @return the file, {@code mountPoint/name}
     */
    public Path declareLog(String name, long startOffset) {
        checkName(name);
        if (startOffset < 0) {
            throw ReplayDeskException.invalid("negative start offset " + startOffset + " for log " + name);
        }
        command(startOffset == 0 ? "LOG " + name : "LOG " + name + " " + startOffset);
        return mountPoint.resolve(name);
    }

    /**
     * {@code DATA NAME OFFSET LENGTH} + the bytes. {@code offset} must be what rdfuse has received so far.
     *
     * @return the bytes rdfuse has received after this
     * @throws ReplayDeskException FAILED naming rdfuse's reply if it refuses (gap, overlap, ended, ...)
     */
    public long appendLog(String name, long offset, byte[] bytes, int off, int len) {
        checkName(name);
        java.util.Objects.checkFromIndexSize(off, len, bytes.length);
        return number(command("DATA " + name + " " + offset + " " + len, bytes, off, len), "DATA");
    }

    /** {@code END NAME}: the log is complete; @return its size */
    public long endLog(String name) {
        checkName(name);
        return number(command("END " + name), "END");
    }

    /** {@code ABORT NAME REASON}: blocked and later reads of the file fail with EIO. */
    public void abort(String name, String reason) {
        checkName(name);
        command("ABORT " + name + " " + reason(reason));
    }

    /**
     * {@code IMAGE NAME SIZE CHUNK_SIZE}: declares an image whose chunks are asked for with NEED.
     *
     * @return the file, {@code mountPoint/name}
     */
    public Path declareImage(String name, long size, int chunkSize) {
        checkName(name);
        String reply = command("IMAGE " + name + " " + size + " " + chunkSize);
        if (!reply.startsWith("chunks=")) {
            throw ReplayDeskException.failed("rdfuse answered IMAGE " + name + " with \"OK " + reply
                    + "\" instead of OK chunks=N", null);
        }
        return mountPoint.resolve(name);
    }

    /** {@code CHUNK NAME INDEX LENGTH} + the bytes (a duplicate is fine: rdfuse ignores it). */
    public void chunk(String name, int index, byte[] bytes) {
        checkName(name);
        command("CHUNK " + name + " " + index + " " + bytes.length, bytes, 0, bytes.length);
    }

    /** {@code CHUNKERR NAME INDEX REASON}: the requests waiting for that chunk fail with EIO. */
    public void chunkError(String name, int index, String reason) {
        checkName(name);
        command("CHUNKERR " + name + " " + index + " " + reason(reason));
    }

    /** {@code STAT NAME} of a log. */
    public LogStat statLog(String name) {
        checkName(name);
        return LogStat.parse(command("STAT " + name));
    }

    /** {@code STAT NAME} of an image. */
    public ImageStat statImage(String name) {
        checkName(name);
        return ImageStat.parse(command("STAT " + name));
    }

    // ---- listeners ------------------------------------------------------------------------------------------------

    /**
     * The listener for NEED lines of images without a listener of their own ({@link #registerNeedListener}). Called
     * on the reader thread: it must not block.
     */
    public void setNeedListener(NeedListener listener) {
        this.needListener = listener;
    }

    /** NEED lines for image {@code name} go to {@code listener} (one per name; an ImageFeeder registers itself). */
    public void registerNeedListener(String name, NeedListener listener) {
        if (needListeners.putIfAbsent(name, listener) != null) {
            throw ReplayDeskException.conflict("image " + name + " already has a NEED listener");
        }
    }

    /** Removes what {@link #registerNeedListener} registered. */
    public void unregisterNeedListener(String name, NeedListener listener) {
        needListeners.remove(name, listener);
    }

    /**
     * Called once, with the reason (exit status and stderr tail, or what broke the connection), when rdfuse exits or
     * its control connection breaks, unless {@link #close} caused it. Called at once if that already happened.
     */
    public void setExitListener(Consumer<String> listener) {
        this.exitListener = listener;
        if (broken.get() != null) {
            reportExit(broken.get());
        }
    }

    // ---- the wire -------------------------------------------------------------------------------------------------

    private String command(String line) {
        return command(line, null, 0, 0);
    }

    /** Sends one command (and payload) and waits for its reply; @return the reply after "OK" / "OK ". */
    private String command(String line, byte[] payload, int off, int len) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        ScheduledFuture<?> dog;
        synchronized (writeLock) {
            failIfBroken(line);
            pending.add(new PendingReply(line, reply));
            // The watchdog bounds the write too: a helper that stops reading would block it forever.
            dog = watchdog.schedule(() -> {
                if (!reply.isDone()) {
                    markBroken("rdfuse did not answer \"" + line + "\" within " + timeout);
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            try {
                ByteBuffer head = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
                ByteBuffer[] buffers = payload == null ? new ByteBuffer[] {head}
                        : new ByteBuffer[] {head, ByteBuffer.wrap(payload, off, len)};
                long left = head.remaining() + (payload == null ? 0 : len);
                while (left > 0) {
                    left -= channel.write(buffers);
                }
            } catch (IOException e) {
                markBroken("writing \"" + line + "\" to rdfuse's control socket failed: " + e);
            }
        }
        if (broken.get() != null) {
            failPending();            // a command queued just as the connection broke
        }
        String answer;
        try {
            answer = reply.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ReplayDeskException(Status.FAILED, "rdfuse command \"" + line + "\" failed: "
                    + e.getCause().getMessage());
        } catch (TimeoutException e) {
            markBroken("rdfuse did not answer \"" + line + "\" within " + timeout);
            throw new ReplayDeskException(Status.FAILED, "rdfuse command \"" + line + "\" failed: " + broken.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayDeskException(Status.FAILED, "interrupted while waiting for rdfuse's answer to \"" + line
                    + "\"");
        } finally {
            dog.cancel(false);
        }
        if (answer.startsWith("ERR ")) {
            throw new ReplayDeskException(Status.FAILED, "rdfuse refused \"" + line + "\": " + answer);
        }
        return answer.equals("OK") ? "" : answer.substring(3);
    }

    private void failIfBroken(String line) {
        String reason = broken.get();
        if (reason != null) {
            throw new ReplayDeskException(Status.FAILED, "rdfuse command \"" + line + "\" not sent: " + reason);
        }
    }

    private void readReplies() {
        ControlLineReader lines = new ControlLineReader(new ControlLineReader.Handler() {
            @Override
            public void reply(String line) throws RdfuseProtocolException {
                PendingReply waiting = pending.poll();
                if (waiting == null) {
                    throw new RdfuseProtocolException("rdfuse sent \"" + line + "\" while no command was waiting");
                }
                waiting.reply().complete(line);
            }

            @Override
            public void need(String name, int[] indices) {
                NeedListener listener = needListeners.getOrDefault(name, needListener);
                if (listener == null) {
                    LOG.warn("rdfuse needs chunks {} of image {}, but nobody feeds that image",
                            java.util.Arrays.toString(indices), name);
                    return;
                }
                try {
                    listener.need(name, indices);
                } catch (RuntimeException e) {
                    LOG.warn("NEED listener for image {} failed", name, e);
                }
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        try {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    markBroken(endOfStreamReason());
                    return;
                }
                buffer.flip();
                lines.accept(buffer);
            }
        } catch (RdfuseProtocolException e) {
            markBroken(e.getMessage() + "; the control connection was dropped");
        } catch (IOException e) {
            markBroken("reading rdfuse's control socket failed: " + e);
        }
    }

    private String endOfStreamReason() {
        if (process == null) {
            return "rdfuse closed the control connection";
        }
        try {
            // rdfuse closes the connection as it exits: wait a little so the reason can say how it exited.
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                stderr.awaitEnd(Duration.ofSeconds(1));
                return "rdfuse closed the control connection and exited with status " + process.exitValue()
                        + stderr.describe();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "rdfuse closed the control connection" + stderr.describe();
    }

    /** The connection is unusable from now on: the first reason sticks; pending commands fail with it. */
    private void markBroken(String reason) {
        boolean first = broken.compareAndSet(null, reason);
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        failPending();
        if (first) {
            if (closing) {
                LOG.debug("rdfuse {} stopped: {}", mountPoint, reason);
            } else {
                LOG.warn("rdfuse {} is gone: {}", mountPoint, reason);
                reportExit(reason);
            }
        }
    }

    private void failPending() {
        PendingReply waiting;
        while ((waiting = pending.poll()) != null) {
            waiting.reply().completeExceptionally(new IOException(broken.get()));
        }
    }

    private void reportExit(String reason) {
        Consumer<String> listener = exitListener;
        if (listener != null && !closing && exitReported.compareAndSet(false, true)) {
            try {
                listener.accept(reason);
            } catch (RuntimeException e) {
                LOG.warn("rdfuse exit listener failed", e);
            }
        }
    }

    /**
     * QUIT (bounded wait), then kill the process if it has not exited, then {@code fusermount3 -u -z} the mount point
     * if it is still mounted (after a crash the dead mount stays in /proc/mounts). Idempotent. The spool files are
     * kept.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        if (broken.get() == null) {
            try {
                command("QUIT");
            } catch (ReplayDeskException e) {
                LOG.debug("rdfuse {}: QUIT failed: {}", mountPoint, e.getMessage());
            }
        }
        if (process != null) {
            try {
                if (!process.waitFor(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("rdfuse {} did not exit after QUIT: killing it", mountPoint);
                    process.destroyForcibly();
                    process.waitFor(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        markBroken("rdfuse was closed");
        watchdog.shutdownNow();
        if (mountedAs != null && MountTable.isMounted(mountedAs)) {
            MountTable.unmountLazily(mountedAs);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static void checkName(String name) {
        if (!isValidName(name)) {
            throw ReplayDeskException.invalid("bad rdfuse file name \"" + name
                    + "\": 1-200 characters of A-Z a-z 0-9 . _ -, not starting with a dot");
        }
    }

    /** A reason is the rest of a line: printable ASCII only, bounded, never empty. */
    static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            return "no reason given";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < reason.length() && out.length() < MAX_REASON; i++) {
            char c = reason.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : ' ');
        }
        return out.toString();
    }

    private static long number(String reply, String command) {
        try {
            return Long.parseLong(reply);
        } catch (NumberFormatException e) {
            throw ReplayDeskException.failed("rdfuse answered " + command + " with \"OK " + reply
                    + "\" instead of OK <number>", null);
        }
    }

    /** The last lines rdfuse wrote to stderr (also logged), for error messages. */
    static final class StderrTail {
        private static final int LINES = 20;
        private final Deque<String> lines = new ArrayDeque<>();
        private final Thread thread;

        StderrTail(InputStream stderr, String who) {
            if (stderr == null) {
                thread = null;
                return;
            }
            thread = daemon(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        LOG.info("{}: {}", who, line);
                        synchronized (lines) {
                            if (lines.size() == LINES) {
                                lines.removeFirst();
                            }
                            lines.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            }, "rdfuse-stderr " + who);
            thread.start();
        }

        void awaitEnd(Duration wait) {
            if (thread != null) {
                try {
                    thread.join(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** "; stderr: a | b" or "" when rdfuse wrote nothing. */
        String describe() {
            synchronized (lines) {
                return lines.isEmpty() ? "" : "; stderr: " + String.join(" | ", lines);
            }
        }
    }
}
