package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.rfb.KeyEvent;

/**
 * The channel that crosses hosts: a client host's display reading a server host's display through VeNCrypt TLS
 * (X509None, X509Vnc, X509Plain), with the server's certificate checked against a CA and the host name.
 */
class TlsSourceTest {

    private static final String VNC_PASSWORD = "vncpw123";
    private static final String USER = "alice";
    private static final String PLAIN_PASSWORD = "correct horse";

    private Path tmp;
    private NioEventLoopGroup group;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdtlssrc");
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Relay serverDisplay(Security method) throws IOException {
        Relay server = new Relay("server-host", DisplaySource.unixSocket(tmp.resolve("vm/vnc.sock")),
                new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.of(List.of(method), VNC_PASSWORD, USER,
                        PLAIN_PASSWORD, TestPki.get().serverContext()), group, r -> { });
        server.start(Duration.ofSeconds(5));
        return server;
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"X509NONE, 127.0.0.1", "X509VNC, localhost", "X509PLAIN, 127.0.0.1"})
    void aClientHostsDisplayReadsTheServerHostsDisplayOverTls(Security method, String host) throws Exception {
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vm/vnc.sock"), 48, 32);
                Relay server = serverDisplay(method)) {
            DisplaySource remote = DisplaySource.tls(new InetSocketAddress(host, server.address().getPort()),
                    TestPki.get().caCertificate, method == Security.X509PLAIN ? USER : null,
                    switch (method) {
                        case X509VNC -> VNC_PASSWORD;
                        case X509PLAIN -> PLAIN_PASSWORD;
                        default -> null;
                    });
            try (Relay client = new Relay("client-host", remote, new InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.none(), group, r -> { })) {
                client.start(Duration.ofSeconds(10));
                assertArrayEquals(vm.screen, client.mirror().snapshot(), "the client host shows the VM's screen");
                assertEquals("tls:" + host + ":" + server.address().getPort(), client.inputSource().describe());
                client.upstream(new KeyEvent(true, 0x41));
                RelayEndToEndTest.await("key through both displays", Duration.ofSeconds(5),
                        () -> vm.count(KeyEvent.class) == 1);
            }
        }
    }

    @Test
    void anUntrustedCertificateOrAWrongPasswordFailsWithTheReason() throws Exception {
        try (FakeVncServer vm = new FakeVncServer(tmp.resolve("vm/vnc.sock"), 48, 32);
                Relay server = serverDisplay(Security.X509VNC)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
            IOException untrusted = assertThrows(IOException.class, () -> new Relay("c", DisplaySource.tls(address,
                    TestPki.get().otherCaCertificate, null, VNC_PASSWORD), new InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.none(), group, r -> { }).start(Duration.ofSeconds(10)));
            assertTrue(untrusted.getMessage().contains("SSLHandshakeException")
                    || untrusted.getMessage().contains("certificate"), untrusted.getMessage());
            IOException wrong = assertThrows(IOException.class, () -> new Relay("c", DisplaySource.tls(address,
                    TestPki.get().caCertificate, null, "not-it"), new InetSocketAddress("127.0.0.1", 0),
                    ViewerSecurity.none(), group, r -> { }).start(Duration.ofSeconds(10)));
            assertTrue(wrong.getMessage().contains("failed security"), wrong.getMessage());
            IOException noTls = assertThrows(IOException.class, () -> new Relay("c", DisplaySource.tls(
                    new InetSocketAddress("127.0.0.1", server.address().getPort()), tmp.resolve("missing.pem"), null,
                    VNC_PASSWORD), new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), group, r -> { })
                    .start(Duration.ofSeconds(10)));
            assertTrue(noTls.getMessage().contains("missing.pem"), noTls.getMessage());
        }
    }
}
