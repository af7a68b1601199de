package org.replaydesk.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.replaydesk.qmp.InputEvent;
import org.replaydesk.qmp.QmpClient;
import org.replaydesk.qmp.QmpConnectionClosedException;
import org.replaydesk.qmp.QmpErrorException;
import org.replaydesk.qmp.QmpEvent;
import org.replaydesk.qmp.QmpException;
import org.replaydesk.qmp.QmpGreeting;
import org.replaydesk.qmp.QmpStatus;
import org.replaydesk.qmp.QmpTimeoutException;
import org.replaydesk.qmp.ReplayInfo;
import org.replaydesk.qmp.SavevmResult;
import org.replaydesk.qmp.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link QmpClient} over a JDK unix domain {@link SocketChannel}.
 *
 * <p>Writers share the channel under a lock; a single reader thread owns the {@link QmpMessageReader} and
 * routes each message: greetings to the handshake, replies to the pending request with the same {@code id},
 * events to the listeners. Closing the channel is the one way to stop the reader: it wakes the blocked read,
 * and the reader's exit path fails every pending request, so nobody waits past a close.
 */
public final class UnixSocketQmpClient implements QmpClient {

    private static final Logger LOG = LoggerFactory.getLogger(UnixSocketQmpClient.class);

    /** Pause between connection attempts while QEMU has not created or opened its socket yet. */
    static final long CONNECT_RETRY_MILLIS = 20;
    /** Pause between savevm attempts refused by record/replay; short, because the guest runs in between. */
    static final long SAVEVM_RETRY_MILLIS = 3;
    /** The part of QEMU 7.2's refusal that is stable: "Record/replay does not allow making snapshot right now." */
    static final String SNAPSHOT_REFUSED = "does not allow making snapshot right now";
    /** One savevm/loadvm writes or reads the whole RAM; give it more than an ordinary command. */
    static final Duration SNAPSHOT_COMMAND_TIMEOUT = Duration.ofMinutes(2);

    /** Tags go into an HMP command line, which splits at spaces and has its own quoting; keep them plain. */
    private static final Pattern SNAPSHOT_TAG = Pattern.compile("[A-Za-z0-9._:+-]{1,128}");
    private static final Pattern SCREENDUMP_FORMAT = Pattern.compile("png|ppm");

    private final Path socket;
    private final SocketChannel channel;
    private final Thread reader;
    private final Object writeLock = new Object();
    private final Object stateLock = new Object();
    private final AtomicLong lastId = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final List<Consumer<QmpEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Throwable>> closeListeners = new ArrayList<>();
    private final CompletableFuture<QmpGreeting> greetingFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile Throwable closeCause;
    private volatile boolean quitSent;
    private volatile Duration defaultTimeout = DEFAULT_TIMEOUT;
    private volatile QmpGreeting greeting;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {
    }

    private UnixSocketQmpClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "qmp-reader-" + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Implements {@link QmpClient#connect(Path, Duration, Consumer)}.
     *
     * @param socket the QMP unix socket
     * @param connectTimeout covers connecting, the greeting and negotiation
     * @param eventListener registered before the reader starts; may be {@code null}
     * @return a negotiated client
     */
    public static QmpClient connect(Path socket, Duration connectTimeout, Consumer<QmpEvent> eventListener) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        SocketChannel channel = openWithRetry(socket, connectTimeout, deadline);
        UnixSocketQmpClient client = new UnixSocketQmpClient(socket, channel);
        if (eventListener != null) {
            client.addEventListener(eventListener);
        }
        client.reader.start();
        try {
            client.greeting = client.greetingFuture.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
            client.execute("qmp_capabilities", Duration.ofNanos(remainingNanos(deadline)));
        } catch (TimeoutException e) {
            client.close();
            throw new QmpTimeoutException("QMP socket " + socket + " accepted the connection but sent no greeting within "
                    + connectTimeout.toMillis() + " ms; is it a QMP socket, and is no other client connected? (QEMU"
                    + " serves one QMP client at a time and lets others wait silently)");
        } catch (ExecutionException e) {
            client.close();
            throw new QmpException("QMP handshake on " + socket + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new QmpException("interrupted during the QMP handshake on " + socket, e);
        } catch (QmpTimeoutException e) {
            client.close();
            throw new QmpTimeoutException("QMP handshake on " + socket + " timed out: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            client.close();
            throw new QmpException("QMP handshake on " + socket + " failed: " + e.getMessage(), e);
        }
        LOG.debug("QMP connected to {}: QEMU {} ({})", socket, client.greeting.version(),
                client.greeting.packageName());
        return client;
    }

    private static SocketChannel openWithRetry(Path socket, Duration connectTimeout, long deadline) {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        IOException last = null;
        int attempts = 0;
        while (true) {
            attempts++;
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(address);
                return channel;
            } catch (IOException e) {
                // QEMU creates the socket a moment after it starts: a missing file or a refused connection is
                // expected at first, so keep trying until the deadline.
                last = e;
                closeQuietly(channel);
            }
            long remaining = remainingNanos(deadline);
            if (remaining == 0) {
                String why = Files.exists(socket)
                        ? "the socket exists but refuses connections (" + last.getMessage()
                                + "); QEMU may have exited and left it behind"
                        : "the socket does not exist; QEMU is not running or was started without -qmp unix:" + socket;
                throw new QmpTimeoutException("cannot connect to QMP socket " + socket + " within "
                        + connectTimeout.toMillis() + " ms (" + attempts + " attempts): " + why, last);
            }
            try {
                Thread.sleep(Math.max(1, Math.min(CONNECT_RETRY_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException("interrupted while connecting to QMP socket " + socket, e);
            }
        }
    }

    // ---- commands ------------------------------------------------------------------------------------------

    @Override
    public Path socket() {
        return socket;
    }

    @Override
    public QmpGreeting greeting() {
        return greeting;
    }

    @Override
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    @Override
    public void setDefaultTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("default timeout must be positive, was " + timeout);
        }
        this.defaultTimeout = timeout;
    }

    @Override
    public JsonNode execute(String command, Duration timeout) {
        return execute(command, (ObjectNode) null, timeout);
    }

    @Override
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) {
        ObjectNode json = null;
        if (arguments != null && !arguments.isEmpty()) {
            try {
                json = QmpCodec.MAPPER.valueToTree(arguments);
            } catch (IllegalArgumentException e) {
                throw new QmpException("cannot encode arguments of QMP command '" + command + "'", e);
            }
        }
        return execute(command, json, timeout);
    }

    @Override
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        requireNotReaderThread(command);
        Sent sent = send(command, arguments);
        try {
            return sent.reply.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Forget the request: its reply, should it still come, is then logged and dropped by the reader.
            pending.remove(sent.id);
            throw new QmpTimeoutException("QMP command '" + command + "' got no reply within " + timeout.toMillis()
                    + " ms on " + socket);
        } catch (InterruptedException e) {
            pending.remove(sent.id);
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for QMP command '" + command + "' on " + socket, e);
        } catch (ExecutionException e) {
            throw inCallerThread(e.getCause());
        }
    }

    @Override
    public CompletableFuture<JsonNode> executeAsync(String command, ObjectNode arguments) {
        Sent sent = send(command, arguments);
        // A caller's orTimeout() or cancel() completes the future from outside; drop the entry then too.
        sent.reply.whenComplete((result, failure) -> pending.remove(sent.id));
        return sent.reply;
    }

    @Override
    public String humanMonitorCommand(String commandLine, Duration timeout) {
        Objects.requireNonNull(commandLine, "commandLine");
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("command-line", commandLine);
        return execute("human-monitor-command", arguments, timeout).asText("");
    }

    private record Sent(long id, CompletableFuture<JsonNode> reply) {
    }

    private Sent send(String command, ObjectNode arguments) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("QMP command name must not be blank");
        }
        long id = lastId.incrementAndGet();
        byte[] request = QmpCodec.encodeRequest(command, arguments, id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, new Pending(command, reply));
        // shutdown() sets 'closed' before it drains 'pending', so either it drains this entry or we see the flag.
        if (closed) {
            pending.remove(id);
            reply.completeExceptionally(closedException());
            return new Sent(id, reply);
        }
        // Only the command name: arguments may carry passwords (e.g. set_password, object-add secrets).
        LOG.debug("QMP {} -> {} (id {})", socket.getFileName(), command, id);
        try {
            synchronized (writeLock) {
                ByteBuffer buffer = ByteBuffer.wrap(request);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            pending.remove(id);
            shutdown(closed ? closeCause : new QmpConnectionClosedException("writing to QMP socket " + socket
                    + " failed: " + e.getMessage(), e));
            reply.completeExceptionally(closedException());
        }
        return new Sent(id, reply);
    }

    private void requireNotReaderThread(String command) {
        if (Thread.currentThread() == reader) {
            throw new IllegalStateException("blocking QMP call '" + command + "' from the QMP reader thread of "
                    + socket + " would wait for itself; use executeAsync from listeners");
        }
    }

    /**
     * The reader completes futures with exceptions created on its own thread; rethrow a fresh one so that the
     * stack trace shows the caller, keeping the reader's as the cause where it explains something.
     */
    private static RuntimeException inCallerThread(Throwable failure) {
        if (failure instanceof QmpErrorException error) {
            return new QmpErrorException(error.command(), error.errorClass(), error.description());
        }
        if (failure instanceof QmpConnectionClosedException closedFailure) {
            return new QmpConnectionClosedException(closedFailure.getMessage(), closedFailure.getCause());
        }
        if (failure instanceof QmpException qmp) {
            return new QmpException(qmp.getMessage(), qmp);
        }
        return new QmpException("QMP command failed: " + failure, failure);
    }

    // ---- typed helpers -------------------------------------------------------------------------------------

    @Override
    public QmpStatus queryStatus() {
        return QmpCodec.decodeStatus(execute("query-status", defaultTimeout));
    }

    @Override
    public ReplayInfo queryReplay() {
        return QmpCodec.decodeReplay(execute("query-replay", defaultTimeout));
    }

    @Override
    public void stop() {
        execute("stop", defaultTimeout);
    }

    @Override
    public void cont() {
        execute("cont", defaultTimeout);
    }

    @Override
    public void screendump(Path file, String format) {
        Objects.requireNonNull(file, "file");
        if (format == null || !SCREENDUMP_FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("screendump format must be \"png\" or \"ppm\", was " + format);
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode()
                .put("filename", file.toAbsolutePath().toString())
                .put("format", format);
        execute("screendump", arguments, defaultTimeout);
    }

    @Override
    public void inputSendEvents(List<InputEvent> events) {
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("input-send-event needs at least one event");
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        ArrayNode list = arguments.putArray("events");
        events.forEach(event -> list.add(event.toJson()));
        execute("input-send-event", arguments, defaultTimeout);
    }

    @Override
    public void replayBreak(long icount) {
        execute("replay-break", JsonNodeFactory.instance.objectNode().put("icount", icount), defaultTimeout);
    }

    @Override
    public void replayDeleteBreak() {
        execute("replay-delete-break", defaultTimeout);
    }

    @Override
    public void quit() {
        requireNotReaderThread("quit");
        quitSent = true;
        Duration timeout = defaultTimeout;
        try {
            execute("quit", timeout);
        } catch (QmpConnectionClosedException e) {
            LOG.debug("QEMU at {} closed the QMP socket before answering quit", socket);
        }
        try {
            // QEMU answers first and exits after; wait for the close so that callers can rely on it.
            closedFuture.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warn("QEMU at {} answered quit but kept the QMP socket open for {} ms; closing it", socket,
                    timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // closedFuture only ever completes normally
        }
        close();
    }

    @Override
    public SavevmResult savevm(String tag, Duration retryFor) {
        return savevmRetrying(tag, retryFor, null);
    }

    @Override
    public SavevmResult savevmStopped(String tag, Duration retryFor, Runnable whileStopped) {
        Objects.requireNonNull(whileStopped, "whileStopped");
        return savevmRetrying(tag, retryFor, whileStopped);
    }

    /**
     * savevm, retried every 3 ms while record/replay refuses. With {@code whileStopped} each attempt is wrapped in
     * stop/cont and the hook runs between a successful savevm and cont; the stall is then stop to cont.
     */
    private SavevmResult savevmRetrying(String tag, Duration retryFor, Runnable whileStopped) {
        requireTag(tag);
        Objects.requireNonNull(retryFor, "retryFor");
        long start = System.nanoTime();
        long giveUpAt = start + retryFor.toNanos();
        // A guest somebody else paused (a pixel check, desk:vm-pause) stays paused: a cont here resumed it behind
        // their back, and their instruction count no longer named the screen they looked at.
        boolean wasRunning = whileStopped != null && queryStatus().running();
        int attempts = 0;
        while (true) {
            attempts++;
            long attemptStart = System.nanoTime();
            String output;
            if (whileStopped == null) {
                output = humanMonitorCommand("savevm " + tag, SNAPSHOT_COMMAND_TIMEOUT);
            } else {
                if (wasRunning) {
                    stop();
                }
                try {
                    output = humanMonitorCommand("savevm " + tag, SNAPSHOT_COMMAND_TIMEOUT);
                    if (output.isEmpty()) {
                        whileStopped.run();
                    }
                } finally {
                    if (wasRunning) {
                        cont();
                    }
                }
                if (!wasRunning && output.contains(SNAPSHOT_REFUSED)) {
                    // Queued record/replay events drain only while the guest runs, and it is not ours to run.
                    throw new QmpException("savevm " + tag + " on " + socket + ": the guest is paused with "
                            + "record/replay events queued (" + output.strip() + "); resume it and snapshot again");
                }
            }
            long attemptEnd = System.nanoTime();
            if (output.isEmpty()) {
                SavevmResult result = new SavevmResult(tag, attempts, Duration.ofNanos(attemptEnd - attemptStart),
                        Duration.ofNanos(attemptEnd - start));
                LOG.debug("savevm {}{} on {}: {} attempt(s), stall {} ms", tag, whileStopped == null ? "" : " (stopped)",
                        socket, attempts, result.stall().toMillis());
                return result;
            }
            if (!output.contains(SNAPSHOT_REFUSED)) {
                throw new QmpException("savevm " + tag + " on " + socket + " failed: " + output.strip());
            }
            if (attemptEnd - giveUpAt >= 0) {
                throw new QmpException("savevm " + tag + " on " + socket + ": QEMU refused " + attempts
                        + " time(s) over " + Duration.ofNanos(attemptEnd - start).toMillis()
                        + " ms because record/replay events were queued (" + output.strip() + ")");
            }
            try {
                Thread.sleep(SAVEVM_RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpException("interrupted while retrying savevm " + tag + " on " + socket, e);
            }
        }
    }

    @Override
    public void setMigrationCapability(String capability, boolean enabled) {
        Objects.requireNonNull(capability, "capability");
        ObjectNode status = JsonNodeFactory.instance.objectNode().put("capability", capability).put("state", enabled);
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putArray("capabilities").add(status);
        execute("migrate-set-capabilities", arguments, defaultTimeout);
    }

    @Override
    public void loadvm(String tag) {
        snapshotCommand("loadvm", tag);
    }

    @Override
    public void delvm(String tag) {
        snapshotCommand("delvm", tag);
    }

    private void snapshotCommand(String verb, String tag) {
        requireTag(tag);
        String output = humanMonitorCommand(verb + " " + tag, SNAPSHOT_COMMAND_TIMEOUT);
        if (!output.isEmpty()) {
            throw new QmpException(verb + " " + tag + " on " + socket + " failed: " + output.strip());
        }
    }

    @Override
    public List<SnapshotInfo> listSnapshots() {
        return QmpCodec.parseSnapshots(humanMonitorCommand("info snapshots", defaultTimeout));
    }

    private static void requireTag(String tag) {
        if (tag == null || !SNAPSHOT_TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("snapshot tag must be 1-128 of [A-Za-z0-9._:+-], was " + tag);
        }
    }

    // ---- listeners and lifecycle ---------------------------------------------------------------------------

    @Override
    public void addEventListener(Consumer<QmpEvent> listener) {
        eventListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeEventListener(Consumer<QmpEvent> listener) {
        eventListeners.remove(listener);
    }

    @Override
    public void addCloseListener(Consumer<Throwable> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (stateLock) {
            if (!closed) {
                closeListeners.add(listener);
                return;
            }
        }
        notifyCloseListener(listener, closeCause);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        shutdown(null);
    }

    /**
     * Closes once: the channel (which ends the reader), every pending request, the greeting wait, then the
     * close listeners.
     *
     * @param cause why, or {@code null} for an expected close
     */
    private void shutdown(Throwable cause) {
        List<Consumer<Throwable>> listeners;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closeCause = cause;
            closed = true;
            listeners = List.copyOf(closeListeners);
            closeListeners.clear();
        }
        if (cause == null) {
            LOG.debug("QMP connection to {} closed", socket);
        } else {
            LOG.warn("QMP connection to {} closed: {}", socket, cause.getMessage());
        }
        closeQuietly(channel);
        QmpConnectionClosedException failure = closedException();
        greetingFuture.completeExceptionally(failure);
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending request = it.next();
            it.remove();
            request.reply.completeExceptionally(failure);
        }
        closedFuture.complete(null);
        listeners.forEach(listener -> notifyCloseListener(listener, cause));
    }

    private QmpConnectionClosedException closedException() {
        Throwable cause = closeCause;
        return new QmpConnectionClosedException("QMP connection to " + socket + " is closed"
                + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private void notifyCloseListener(Consumer<Throwable> listener, Throwable cause) {
        try {
            listener.accept(cause);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.warn("QMP close listener {} for {} failed", listener, socket, e);
        }
    }

    // ---- reader thread -------------------------------------------------------------------------------------

    private void readLoop() {
        QmpMessageReader framer = new QmpMessageReader(QmpCodec.MAPPER);
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        Throwable cause;
        try {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    cause = quitSent ? null : new QmpConnectionClosedException("QEMU closed the QMP socket " + socket
                            + " (QEMU exited or crashed)", null);
                    break;
                }
                framer.feed(buffer.array(), 0, buffer.position(), this::dispatch);
            }
        } catch (IOException e) {
            // After quit, QEMU may exit with bytes of ours unread, which the kernel reports as a reset.
            // After close(), the read fails with AsynchronousCloseException; shutdown() then is a no-op.
            cause = closed || quitSent ? null : new QmpConnectionClosedException("reading QMP socket " + socket
                    + " failed: " + e.getMessage(), e);
        } catch (QmpException e) {
            cause = e;
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.error("QMP reader for {} failed unexpectedly", socket, e);
            cause = e;
        }
        shutdown(cause);
    }

    private void dispatch(ObjectNode message) {
        if (message.has("event")) {
            deliverEvent(QmpCodec.decodeEvent(message));
        } else if (message.has("return") || message.has("error")) {
            deliverReply(message);
        } else if (message.has("QMP")) {
            QmpGreeting received = QmpCodec.decodeGreeting(message);
            if (!greetingFuture.complete(received)) {
                LOG.warn("QMP {}: ignoring a second greeting", socket);
            }
        } else {
            List<String> members = new ArrayList<>();
            message.fieldNames().forEachRemaining(members::add);
            LOG.warn("QMP {}: ignoring a message that is no reply, event or greeting (members {})", socket, members);
        }
    }

    private void deliverReply(ObjectNode message) {
        JsonNode id = message.get("id");
        Pending request = id != null && id.isIntegralNumber() && id.canConvertToLong()
                ? pending.remove(id.asLong())
                : null;
        if (request == null) {
            if (message.has("error")) {
                // QEMU answers without id when it could not even parse a request.
                LOG.warn("QMP {}: error reply for no pending request (id {}): {}: {}", socket, id,
                        message.path("error").path("class").asText(), message.path("error").path("desc").asText());
            } else {
                LOG.warn("QMP {}: ignoring a reply for no pending request (id {}; timed out or not ours)", socket,
                        id);
            }
            return;
        }
        LOG.debug("QMP {} <- {} (id {}) {}", socket.getFileName(), request.command, id,
                message.has("error") ? "error" : "ok");
        if (message.has("error")) {
            request.reply.completeExceptionally(QmpCodec.decodeError(request.command, message));
        } else {
            request.reply.complete(message.get("return"));
        }
    }

    private void deliverEvent(QmpEvent event) {
        LOG.debug("QMP {} event {}", socket.getFileName(), event.name());
        for (Consumer<QmpEvent> listener : eventListeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // One faulty listener must not starve the others or end the connection.
                LOG.warn("QMP event listener {} failed on {} from {}", listener, event.name(), socket, e);
            }
        }
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing QMP channel failed", e);
            }
        }
    }
}
