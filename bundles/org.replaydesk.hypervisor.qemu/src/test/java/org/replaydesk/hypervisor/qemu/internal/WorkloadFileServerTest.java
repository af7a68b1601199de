package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class WorkloadFileServerTest {

    @Test
    void servesTheDeterministicFileAndNothingElse() throws Exception {
        try (WorkloadFileServer server = new WorkloadFileServer(0)) {
            byte[] response = get(server.port(), "GET /workload.bin HTTP/1.0\r\nHost: x\r\n\r\n");
            String head = new String(response, 0, 200, StandardCharsets.US_ASCII);
            int bodyAt = head.indexOf("\r\n\r\n") + 4;
            assertEquals("HTTP/1.0 200 OK", head.substring(0, head.indexOf("\r\n")));
            byte[] body = Arrays.copyOfRange(response, bodyAt, response.length);
            assertArrayEquals(WorkloadFileServer.generate(WorkloadFileServer.FILE_SIZE), body);
            String missing = new String(get(server.port(), "GET /etc/passwd HTTP/1.0\r\n\r\n"), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.0 404 Not Found", missing.substring(0, missing.indexOf("\r\n")));
        }
    }

    private static byte[] get(int port, String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = s.getInputStream()) {
                return in.readAllBytes();
            }
        }
    }
}
