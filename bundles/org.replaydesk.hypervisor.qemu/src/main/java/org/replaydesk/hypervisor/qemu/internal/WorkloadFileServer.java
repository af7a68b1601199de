package org.replaydesk.hypervisor.qemu.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of the demo guest's {@code net} workload: a loopback-only HTTP/1.0 server that
 * serves one file of deterministic pseudo-random bytes. QEMU's user-mode network maps the guest's
 * 10.0.2.2 to the host's loopback, so the guest reaches it without any host network setup. It
 * serves public test data only and listens on 127.0.0.1, so it has no authentication.
 */
final class WorkloadFileServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadFileServer.class);
    static final String PATH = "/workload.bin";
    static final int FILE_SIZE = 4 << 20;
    private static final int MAX_CONNECTIONS = 8;

    private final ServerSocket server;
    private final ExecutorService workers;
    private final byte[] content = generate(FILE_SIZE);

    WorkloadFileServer(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        workers = new ThreadPoolExecutor(1, MAX_CONNECTIONS, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "workload-file-server");
                    t.setDaemon(true);
                    return t;
                });
        Thread acceptor = new Thread(this::acceptLoop, "workload-file-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** A fixed xorshift sequence: the same bytes on every host, so downloads can be checked. */
    static byte[] generate(int size) {
        byte[] data = new byte[size];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return data;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                try {
                    workers.execute(() -> serve(socket));
                } catch (RejectedExecutionException e) {
                    socket.close();
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("workload file server: accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String request = in.readLine();
            String header;
            while ((header = in.readLine()) != null && !header.isEmpty()) {
                if (header.length() > 8192) {
                    return;
                }
            }
            OutputStream out = socket.getOutputStream();
            if (request != null && (request.startsWith("GET " + PATH + " ") || request.equals("GET " + PATH))) {
                out.write(("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + content.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(content);
            } else {
                out.write("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException e) {
            LOG.debug("workload file server: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing workload file server: {}", e.getMessage());
        }
        workers.shutdownNow();
    }
}
