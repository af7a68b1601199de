package org.replaydesk.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.qmp.internal.UnixSocketQmpClient;

/**
 * A QMP session with one QEMU process over its {@code -qmp unix:PATH,server=on,wait=off} socket.
 *
 * <p>Thread-safe: any number of threads may issue commands at once. Each request carries its own {@code id}
 * and replies are matched by it, so replies and events may arrive in any order. One daemon thread named
 * {@code qmp-reader-<socket file name>} reads the socket and runs event listeners, close listeners and the
 * completion stages of {@link #executeAsync}; blocking calls on this client from that thread are refused
 * with {@link IllegalStateException}, because they would wait for a reply only that thread can read.
 *
 * <p>QEMU 7.2 serves one QMP client per socket: a second connection is accepted by the kernel but gets no
 * greeting until the first one closes, so {@link #connect} then fails with a greeting timeout.
 *
 * <p>Methods without a timeout parameter wait at most {@link #defaultTimeout()}.
 */
@ProviderType
public interface QmpClient extends AutoCloseable {

    /** Default for {@link #defaultTimeout()}. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Connects to QEMU, reads its greeting and leaves capabilities negotiation with {@code qmp_capabilities}.
     *
     * <p>QEMU creates the socket shortly after it starts, so a missing or refusing socket is retried until
     * {@code connectTimeout} expires; the same deadline covers the greeting and negotiation.
     *
     * @param socket the QMP unix socket
     * @param connectTimeout how long to keep trying
     * @return a ready client
     * @throws QmpTimeoutException if the socket did not accept or QEMU did not greet in time
     * @throws QmpException if the peer closed or is not a QMP server
     */
    static QmpClient connect(Path socket, Duration connectTimeout) {
        return UnixSocketQmpClient.connect(socket, connectTimeout, null);
    }

    /**
     * Like {@link #connect(Path, Duration)}, with an event listener registered before the handshake so that
     * no event emitted right after negotiation can be missed.
     *
     * @param socket the QMP unix socket
     * @param connectTimeout how long to keep trying
     * @param eventListener receives every event from the start; see {@link #addEventListener(Consumer)}
     * @return a ready client
     */
    static QmpClient connect(Path socket, Duration connectTimeout, Consumer<QmpEvent> eventListener) {
        return UnixSocketQmpClient.connect(socket, connectTimeout, eventListener);
    }

    /** @return the socket this client is connected to */
    Path socket();

    /** @return QEMU's greeting: version, package and offered capabilities */
    QmpGreeting greeting();

    /** @return the timeout of the methods that take none */
    Duration defaultTimeout();

    /**
     * @param timeout the timeout of the methods that take none; positive
     */
    void setDefaultTimeout(Duration timeout);

    /**
     * Runs a command without arguments.
     *
     * @param command QMP command name, e.g. {@code query-status}
     * @param timeout how long to wait for the reply
     * @return the {@code return} member of the reply
     * @throws QmpErrorException if QEMU answered with {@code error}
     * @throws QmpTimeoutException if no reply came in time
     * @throws QmpConnectionClosedException if the connection is or becomes closed
     */
    JsonNode execute(String command, Duration timeout);

    /**
     * Runs a command; arguments are converted to JSON with Jackson.
     *
     * @param command QMP command name
     * @param arguments the command's {@code arguments}; {@code null} or empty for none
     * @param timeout how long to wait for the reply
     * @return the {@code return} member of the reply
     * @see #execute(String, Duration)
     */
    JsonNode execute(String command, Map<String, ?> arguments, Duration timeout);

    /**
     * Runs a command with JSON arguments.
     *
     * @param command QMP command name
     * @param arguments the command's {@code arguments}; {@code null} for none
     * @param timeout how long to wait for the reply
     * @return the {@code return} member of the reply
     * @see #execute(String, Duration)
     */
    JsonNode execute(String command, ObjectNode arguments, Duration timeout);

    /**
     * Sends a command without waiting. The future completes on the reader thread with the {@code return}
     * member, or exceptionally with {@link QmpErrorException} or {@link QmpConnectionClosedException}; it has
     * no timeout of its own (use {@link CompletableFuture#orTimeout}).
     *
     * @param command QMP command name
     * @param arguments the command's {@code arguments}; {@code null} for none
     * @return the pending reply
     */
    CompletableFuture<JsonNode> executeAsync(String command, ObjectNode arguments);

    /**
     * Runs an HMP command through {@code human-monitor-command}. HMP reports most failures as text, not as a
     * QMP error, so callers must inspect the result.
     *
     * @param commandLine the HMP command line, e.g. {@code info snapshots}
     * @param timeout how long to wait
     * @return HMP's output, {@code ""} when the command printed nothing
     */
    String humanMonitorCommand(String commandLine, Duration timeout);

    /**
     * Adds an event listener. Listeners run on the reader thread in registration order and must not block;
     * an exception from one is logged and does not affect the others or the connection.
     *
     * @param listener receives every event from now on
     */
    void addEventListener(Consumer<QmpEvent> listener);

    /**
     * @param listener a listener added before; no effect otherwise
     */
    void removeEventListener(Consumer<QmpEvent> listener);

    /**
     * Adds a listener told once when the connection closes. It receives {@code null} when the close was
     * expected ({@link #close()} was called, or QEMU exited after {@link #quit()}), otherwise the reason:
     * QEMU closed the socket (it exited or crashed), a read failed, or QEMU sent unreadable data. A listener
     * added after the close is called at once, on the calling thread.
     *
     * @param listener receives the reason, or {@code null}
     */
    void addCloseListener(Consumer<Throwable> listener);

    /** @return whether the connection is closed */
    boolean isClosed();

    /** @return {@code query-status} */
    QmpStatus queryStatus();

    /** @return {@code query-replay} */
    ReplayInfo queryReplay();

    /** Pauses the guest ({@code stop}); QEMU emits {@code STOP}. */
    void stop();

    /** Resumes the guest ({@code cont}); QEMU emits {@code RESUME}. */
    void cont();

    /**
     * Writes the current screen to a file on QEMU's host ({@code screendump}).
     *
     * @param file where QEMU writes the image; QEMU's process must be able to write there
     * @param format {@code png} or {@code ppm}
     */
    void screendump(Path file, String format);

    /**
     * Injects input ({@code input-send-event}) into the default input devices.
     *
     * @param events the events, sent together in one command
     */
    void inputSendEvents(List<InputEvent> events);

    /**
     * Makes a replaying VM pause when it reaches an instruction count ({@code replay-break}); QEMU then
     * reports run state {@code debug}. Only allowed in play mode.
     *
     * @param icount the instruction count to stop at
     */
    void replayBreak(long icount);

    /** Removes the breakpoint set by {@link #replayBreak(long)} ({@code replay-delete-break}). */
    void replayDeleteBreak();

    /**
     * Asks QEMU to exit ({@code quit}) and waits until it has closed the socket. QEMU may close the socket
     * without sending the reply; that counts as success. When this returns the client is closed.
     */
    void quit();

    /**
     * Takes an internal snapshot with HMP {@code savevm TAG}. Under record/replay QEMU 7.2 refuses while replay
     * events are queued ("Record/replay does not allow making snapshot right now. Try once more later."); the
     * command is then retried every 3 ms until it succeeds or {@code retryFor} has elapsed.
     *
     * @param tag snapshot tag; letters, digits and {@code . _ - : +} only, because HMP splits at spaces
     * @param retryFor how long to keep retrying after refusals
     * @return attempts and timings
     * @throws QmpException if QEMU kept refusing for {@code retryFor}, or printed any other error (its text is
     *     in the message)
     */
    SavevmResult savevm(String tag, Duration retryFor);

    /**
     * Takes an internal snapshot with the guest stopped around it, so that {@code whileStopped} sees exactly the
     * machine {@code savevm} saved: {@code stop}, {@code savevm TAG}, {@code whileStopped}, {@code cont}. Used when
     * part of the state lives outside the vmstate (guest RAM in a shared file with {@code x-ignore-shared}): the
     * caller copies it in {@code whileStopped}. An attempt refused by record/replay continues the guest (queued
     * events drain only while it runs) and is retried every 3 ms for {@code retryFor}. The guest is running again
     * when this returns, also when {@code whileStopped} throws. A guest that is already paused ({@code query-status}
     * first) is neither stopped nor continued: it stays paused, and a refusal then fails at once.
     *
     * @param tag snapshot tag (as for {@link #savevm(String, Duration)})
     * @param retryFor how long to keep retrying after refusals
     * @param whileStopped runs after a successful {@code savevm}, before {@code cont}
     * @return attempts and timings; the stall runs from {@code stop} to {@code cont}
     * @throws QmpException as {@link #savevm(String, Duration)}
     * @since 1.1
     */
    SavevmResult savevmStopped(String tag, Duration retryFor, Runnable whileStopped);

    /**
     * Sets a migration capability ({@code migrate-set-capabilities}); savevm and loadvm follow them too.
     *
     * @param capability QEMU's name, e.g. {@code x-ignore-shared}
     * @param enabled the new state
     * @throws QmpException if QEMU does not know the capability or refuses it now
     * @since 1.1
     */
    void setMigrationCapability(String capability, boolean enabled);

    /**
     * Restores an internal snapshot with HMP {@code loadvm TAG}. On failure QEMU 7.2 leaves the guest paused
     * in run state {@code restore-vm}.
     *
     * @param tag snapshot tag
     * @throws QmpException with QEMU's text if it printed an error
     */
    void loadvm(String tag);

    /**
     * Deletes an internal snapshot with HMP {@code delvm TAG}. QEMU 7.2 prints nothing for an unknown tag,
     * so deleting a missing snapshot succeeds.
     *
     * @param tag snapshot tag
     * @throws QmpException with QEMU's text if it printed an error
     */
    void delvm(String tag);

    /**
     * Lists internal snapshots present on all disks (HMP {@code info snapshots}).
     *
     * @return the snapshots, oldest first; empty when there are none or no disk can hold them
     */
    List<SnapshotInfo> listSnapshots();

    /**
     * Closes the socket, fails every pending command with {@link QmpConnectionClosedException} and tells the
     * close listeners. Idempotent; does not stop QEMU.
     */
    @Override
    void close();
}
