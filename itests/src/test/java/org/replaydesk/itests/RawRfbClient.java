package org.replaydesk.itests;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately small RFB 3.8 viewer for itests, written from RFC 6143 and independent of our codec: security None,
 * 32 bpp true colour, Raw encoding only, continuous incremental update requests. It keeps a framebuffer and the time
 * of the last change to it, so a test can see when a keystroke's echo reached a screen; and it sends key events,
 * so a test types the way a viewer does.
 */
final class RawRfbClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Thread reader;
    final int width;
    final int height;
    private final int[] pixels;
    private final AtomicLong updates = new AtomicLong();
    private volatile IOException failure;

    RawRfbClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(15000);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16));
        out = new DataOutputStream(socket.getOutputStream());
        byte[] version = new byte[12];
        in.readFully(version);
        if (!new String(version, StandardCharsets.US_ASCII).startsWith("RFB 003.")) {
            throw new IOException("not an RFB server: " + new String(version, StandardCharsets.US_ASCII));
        }
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        int types = in.readUnsignedByte();
        if (types == 0) {
            throw new IOException("server refused: " + reason());
        }
        boolean none = false;
        for (int i = 0; i < types; i++) {
            none |= in.readUnsignedByte() == 1;
        }
        if (!none) {
            throw new IOException("server does not offer security None");
        }
        out.writeByte(1);
        if (in.readInt() != 0) {
            throw new IOException("security result failed: " + reason());
        }
        out.writeByte(1); // shared
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        in.readFully(new byte[16]); // server pixel format: replaced below
        in.readFully(new byte[in.readInt()]); // name
        pixels = new int[width * height];
        // 32 bpp, depth 24, little endian, true colour, 8 bits per channel at 16/8/0.
        out.write(new byte[] {0, 0, 0, 0, 32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0});
        out.write(new byte[] {2, 0, 0, 1, 0, 0, 0, 0}); // SetEncodings: Raw only
        request(false);
        socket.setSoTimeout(0);
        reader = new Thread(this::readLoop, "raw-rfb-" + port);
        reader.setDaemon(true);
        reader.start();
    }

    private String reason() throws IOException {
        byte[] r = new byte[in.readInt()];
        in.readFully(r);
        return new String(r, StandardCharsets.UTF_8);
    }

    private synchronized void request(boolean incremental) throws IOException {
        out.write(new byte[] {3, (byte) (incremental ? 1 : 0), 0, 0, 0, 0, (byte) (width >> 8), (byte) width,
            (byte) (height >> 8), (byte) height});
        out.flush();
    }

    /** Sends a key press and release with an X11 keysym (viewer path: what a VNC viewer sends). */
    synchronized void key(int keysym) throws IOException {
        for (int down = 1; down >= 0; down--) {
            out.write(new byte[] {4, (byte) down, 0, 0, (byte) (keysym >> 24), (byte) (keysym >> 16),
                (byte) (keysym >> 8), (byte) keysym});
        }
        out.flush();
    }

    private void readLoop() {
        try {
            byte[] row = new byte[width * 4];
            while (true) {
                int type = in.readUnsignedByte();
                switch (type) {
                    case 0 -> {
                        in.readUnsignedByte();
                        int rects = in.readUnsignedShort();
                        synchronized (pixels) {
                            for (int r = 0; r < rects; r++) {
                                int x = in.readUnsignedShort();
                                int y = in.readUnsignedShort();
                                int w = in.readUnsignedShort();
                                int h = in.readUnsignedShort();
                                int enc = in.readInt();
                                if (enc != 0) {
                                    throw new IOException("unexpected encoding " + enc);
                                }
                                for (int j = 0; j < h; j++) {
                                    in.readFully(row, 0, w * 4);
                                    for (int i = 0; i < w; i++) {
                                        int p = i * 4;
                                        pixels[(y + j) * width + x + i] = (row[p] & 0xff) | (row[p + 1] & 0xff) << 8
                                                | (row[p + 2] & 0xff) << 16;
                                    }
                                }
                            }
                            updates.incrementAndGet();
                            pixels.notifyAll();
                        }
                        request(true);
                    }
                    case 1 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                        int n = in.readUnsignedShort();
                        in.readFully(new byte[n * 6]);
                    }
                    case 2 -> {
                        // bell
                    }
                    case 3 -> {
                        in.readFully(new byte[3]);
                        in.readFully(new byte[in.readInt()]);
                    }
                    default -> throw new IOException("unexpected server message " + type);
                }
            }
        } catch (IOException e) {
            failure = e;
            synchronized (pixels) {
                pixels.notifyAll();
            }
        }
    }

    /** A copy of the framebuffer (0xRRGGBB per pixel). */
    int[] frame() {
        synchronized (pixels) {
            return pixels.clone();
        }
    }

    /**
     * Waits until the given predicate holds for the framebuffer; returns System.nanoTime() of the update that made it
     * true, or -1 on timeout.
     */
    long awaitFrame(java.util.function.Predicate<int[]> condition, long timeoutMillis) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (pixels) {
            while (!condition.test(pixels)) {
                if (failure != null) {
                    throw new IOException("viewer connection broke", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                pixels.wait(Math.max(1, left / 1_000_000));
            }
            return System.nanoTime();
        }
    }

    long updates() {
        return updates.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
