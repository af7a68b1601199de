package org.replaydesk.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP proxy in front of a server's record-log streamer (port P) and chunk server (port P+1), the layout
 * a replay client expects from {@code --server HOST:P}. It forwards bytes unchanged until a test asks for a fault on
 * the record-log side: drop the connection (the client must resume with no gap and no duplicate), or replace the
 * server's bytes with garbage (the client must stop with a clear error).
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { NONE, DROP, GARBAGE }

    private final ServerSocket logListener;
    private final ServerSocket chunkListener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicReference<Fault> nextFault = new AtomicReference<>(Fault.NONE);
    private final AtomicInteger logConnections = new AtomicInteger();
    private volatile boolean closed;
    private final Object chunkGate = new Object();
    private boolean chunksHeld;

    FaultProxy(int logTarget, int chunkTarget) throws IOException {
        ServerSocket[] pair = consecutivePorts();
        logListener = pair[0];
        chunkListener = pair[1];
        accept(logListener, logTarget, true);
        accept(chunkListener, chunkTarget, false);
    }

    /** The port to give as {@code --server 127.0.0.1:PORT}. */
    int port() {
        return logListener.getLocalPort();
    }

    int logConnections() {
        return logConnections.get();
    }

    /**
     * While held, chunk-server replies are not forwarded (a chunk server or network that stops answering); they go
     * on when released. Keep holds well under the pager's 30 s reply timeout, after which the client gives up.
     */
    void holdChunks(boolean hold) {
        synchronized (chunkGate) {
            chunksHeld = hold;
            chunkGate.notifyAll();
        }
    }

    /** The next server-to-client bytes of the current record-log connection trigger this fault, once. */
    void inject(Fault fault) {
        nextFault.set(fault);
    }

    private static ServerSocket[] consecutivePorts() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20000 + (int) (Math.random() * 30000);
            ServerSocket a = null;
            try {
                a = new ServerSocket();
                a.bind(new InetSocketAddress("127.0.0.1", base));
                ServerSocket b = new ServerSocket();
                b.bind(new InetSocketAddress("127.0.0.1", base + 1));
                return new ServerSocket[] {a, b};
            } catch (IOException e) {
                if (a != null) {
                    a.close();
                }
            }
        }
        throw new IOException("no two consecutive free loopback ports");
    }

    private void accept(ServerSocket listener, int target, boolean log) {
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket("127.0.0.1", target);
                    sockets.add(client);
                    sockets.add(server);
                    if (log) {
                        logConnections.incrementAndGet();
                    }
                    pump(client, server, false, false);
                    pump(server, client, log, !log);
                } catch (IOException e) {
                    if (!closed) {
                        System.err.println("FaultProxy: " + e);
                    }
                }
            }
        }, "fault-proxy-accept-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean faultable, boolean chunkReplies) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (chunkReplies) {
                        synchronized (chunkGate) {
                            while (chunksHeld && !closed) {
                                chunkGate.wait(100);
                            }
                        }
                    }
                    Fault fault = faultable ? nextFault.getAndSet(Fault.NONE) : Fault.NONE;
                    if (fault == Fault.DROP) {
                        from.close();
                        to.close();
                        return;
                    }
                    if (fault == Fault.GARBAGE) {
                        byte[] junk = new byte[n];
                        java.util.Arrays.fill(junk, (byte) 0x7f);
                        out.write(junk);
                        out.flush();
                        continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        logListener.close();
        chunkListener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
