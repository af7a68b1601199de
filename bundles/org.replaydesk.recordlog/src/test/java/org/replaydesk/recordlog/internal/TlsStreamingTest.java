package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;

/** The stream over TLS (JDK provider) with a keystore made by the JDK's keytool, as an operator would make it. */
@Timeout(60)
class TlsStreamingTest {

    private static final VmName VM = VmName.of("tls1");

    @TempDir
    Path dir;

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + List.of(args) + ": " + out);
    }

    /** A self-signed certificate for 127.0.0.1 in a PKCS12 keystore, and the certificate as PEM. */
    private Path[] certificate(String name) throws Exception {
        Path keystore = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(), "-storetype",
                "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        return new Path[] {keystore, pem};
    }

    @Test
    void streamsOverTlsAndRefusesAnUntrustedServer() throws Exception {
        Path[] server = certificate("server");
        Path[] other = certificate("other");
        EventLoopGroup group = new NioEventLoopGroup(2);
        try (RecordLogServer rl = new RecordLogServer(new InetSocketAddress("127.0.0.1", 0), "tok",
                TlsContexts.server(server[0], "changeit".toCharArray(), ""), Duration.ofMillis(5),
                Duration.ofMillis(100), group).start();
                NettyRecordLogSubscriber subscriber = new NettyRecordLogSubscriber(group, false);
                GrowingLog log = new GrowingLog(dir.resolve("record.log"), 3)) {
            for (int i = 0; i < 30; i++) {
                log.append(4096);
            }
            log.finish();
            rl.publish(VM, dir.resolve("record.log"), OptionalLong::empty);
            SubscriptionOptions options = SubscriptionOptions.defaults().withToken("tok");

            CollectingSink sink = new CollectingSink(0);
            try (Subscription s = subscriber.subscribe(rl.address(), VM, 0, sink, options.withTlsTrust(server[1]))) {
                CollectingSink.End end = sink.awaitEnd(20);
                byte[] file = Files.readAllBytes(dir.resolve("record.log"));
                byte[] got = sink.bytes();
                System.arraycopy(end.header(), 0, got, 0, 4);
                assertArrayEquals(file, got);
            }

            CollectingSink refused = new CollectingSink(0);
            try (Subscription s = subscriber.subscribe(rl.address(), VM, 0, refused, options.withTlsTrust(other[1]))) {
                ReplayDeskException e = refused.awaitError(20);
                assertEquals(Status.UNAVAILABLE, e.status());
                assertTrue(e.getMessage().startsWith("TLS with record-log server 127.0.0.1:" + rl.address().getPort()
                        + " (VM 'tls1') failed: "), e.getMessage());
                assertTrue(e.getMessage().endsWith("; check the server's certificate and the trust file"),
                        e.getMessage());
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
