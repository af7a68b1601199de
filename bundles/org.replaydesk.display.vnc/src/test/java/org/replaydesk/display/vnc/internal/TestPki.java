package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the TLS tests, made at test time with the running JDK's {@code keytool} (no secrets checked in):
 * a CA, a display key pair signed by it for {@code localhost} / {@code 127.0.0.1} in a PKCS12 keystore (key entry
 * {@code display} with its chain, plus the CA as a trusted entry, as an operator's keystore would hold), the CA
 * certificate as PEM for viewers, and an unrelated second CA that viewers must not accept. Made once per test JVM,
 * because each keytool run starts a JVM.
 *
 * <p>These are the same commands an operator runs (see the module README), minus the validity period.
 */
final class TestPki {

    static final String KEYSTORE_PASSWORD = "test-keystore-pw";
    static final String KEY_ALIAS = "display";

    private static TestPki instance;

    final Path dir;
    /** PKCS12 with the display key (alias {@link #KEY_ALIAS}) and the CA as a trusted certificate. */
    final Path keystore;
    /** The CA certificate, PEM. */
    final Path caCertificate;
    /** A CA that signed nothing here, PEM: a viewer trusting only it must refuse the display. */
    final Path otherCaCertificate;

    private TestPki(Path dir) {
        this.dir = dir;
        this.keystore = dir.resolve("display.p12");
        this.caCertificate = dir.resolve("cacert.pem");
        this.otherCaCertificate = dir.resolve("other-cacert.pem");
    }

    static synchronized TestPki get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("rdpki");
                dir.toFile().deleteOnExit();
                TestPki pki = new TestPki(dir);
                pki.generate();
                instance = pki;
            } catch (IOException | InterruptedException e) {
                fail("cannot generate test certificates with keytool: " + e);
            }
        }
        return instance;
    }

    /** @return a configured server context for {@link #keystore} */
    io.netty.handler.ssl.SslContext serverContext() {
        return TlsKeystore.serverContext(keystore, KEYSTORE_PASSWORD.toCharArray(), KEY_ALIAS);
    }

    private void generate() throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.p12");
        Path other = dir.resolve("other-ca.p12");
        Path csr = dir.resolve("display.csr");
        Path signed = dir.resolve("display.pem");
        keytool("-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=ReplayDesk test CA", "-ext", "bc:c", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-file", caCertificate.toString());
        keytool("-genkeypair", "-keystore", keystore.toString(), "-alias", KEY_ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2");
        keytool("-certreq", "-keystore", keystore.toString(), "-alias", KEY_ALIAS, "-file", csr.toString());
        keytool("-gencert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-infile", csr.toString(),
                "-outfile", signed.toString(), "-validity", "2", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-ext", "KU=digitalSignature", "-ext", "EKU=serverAuth");
        keytool("-importcert", "-noprompt", "-keystore", keystore.toString(), "-alias", "ca", "-file",
                caCertificate.toString());
        keytool("-importcert", "-keystore", keystore.toString(), "-alias", KEY_ALIAS, "-file", signed.toString());
        keytool("-genkeypair", "-keystore", other.toString(), "-alias", "ca", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=Somebody else's CA", "-ext", "bc:c", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", other.toString(), "-alias", "ca", "-file",
                otherCaCertificate.toString());
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", KEYSTORE_PASSWORD));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("keytool " + args[0] + " did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), () -> "keytool " + String.join(" ", args) + " failed: " + output);
    }
}
