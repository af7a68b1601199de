package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.RemoteImage;

/**
 * The DS component as Karaf builds it from configuration: both roles end to end, settings checked at activation, and
 * the chunk server over TLS with a real keystore made by the JDK's keytool.
 */
class PagerServiceTest {

    @TempDir
    Path tmp;

    /** A configuration as DS would make it: the given keys (named as the methods), defaults for the rest. */
    static PagerConfiguration config(Map<String, Object> values) {
        return (PagerConfiguration) Proxy.newProxyInstance(PagerConfiguration.class.getClassLoader(),
                new Class<?>[] {PagerConfiguration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return PagerConfiguration.class;
                    }
                    return values.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }

    Map<String, Object> base() {
        Map<String, Object> v = new HashMap<>();
        v.put("store_dir", tmp.resolve("store").toString());
        v.put("cache_dir", tmp.resolve("cache").toString());
        v.put("port", 0);
        v.put("chunk_size", 4096);
        return v;
    }

    @Test
    void bothRolesWorkEndToEnd() throws Exception {
        byte[] image = FileChunkStoreTest.image(50_000, 3);
        Files.write(tmp.resolve("img"), image);
        Map<String, Object> v = base();
        v.put("_token", "t0ken");
        PagerService pager = new PagerService(config(v));
        try {
            pager.importImage("vm-s1", tmp.resolve("img"), ImportProgress.NONE);
            assertEquals(List.of("vm-s1"), pager.imageIds());
            InetSocketAddress address = pager.serverAddress().orElseThrow();
            assertTrue(address.getAddress().isLoopbackAddress());
            try (RemoteImage remote = pager.open(address, "vm-s1")) {
                assertArrayEquals(image, remote.read(0, image.length));
            }
            assertTrue(pager.stats().chunks() > 0);
        } finally {
            pager.deactivate();
        }
    }

    /** Reads a partly zero image through the component's own server; returns the server's compressed chunks. */
    private long compressedChunksServed(Map<String, Object> v) throws Exception {
        byte[] image = FileChunkStoreTest.image(50_000, 3);
        Files.write(tmp.resolve("img"), image);
        PagerService pager = new PagerService(config(v));
        try {
            pager.importImage("vm-s1", tmp.resolve("img"), ImportProgress.NONE);
            try (RemoteImage remote = pager.open(pager.serverAddress().orElseThrow(), "vm-s1")) {
                assertArrayEquals(image, remote.read(0, image.length));
            }
            return pager.server().orElseThrow().chunksCompressed();
        } finally {
            pager.deactivate();
        }
    }

    @Test
    void chunkCompressionIsOnByDefaultAndCanBeTurnedOff() throws Exception {
        // The image's zero run fills whole chunks, which deflate to almost nothing.
        assertTrue(compressedChunksServed(base()) > 0);
        Map<String, Object> off = base();
        off.put("store_dir", tmp.resolve("store-off").toString());
        off.put("cache_dir", tmp.resolve("cache-off").toString());
        off.put("chunk_compression", false);
        assertEquals(0, compressedChunksServed(off));
    }

    @Test
    void unsafeOrWrongSettingsFailActivationNamingTheSetting() {
        Map<String, Object> open = base();
        open.put("listen_address", "0.0.0.0");
        assertEquals("listen.address 0.0.0.0 is not loopback: set '.token' so only clients that know it can read the "
                + "store", assertThrows(ReplayDeskException.class, () -> new PagerService(config(open))).getMessage());
        Map<String, Object> chunk = base();
        chunk.put("chunk_size", 1000);
        assertEquals("chunk size 1000 is not a power of two from 4096 to 16777216",
                assertThrows(ReplayDeskException.class, () -> new PagerService(config(chunk))).getMessage());
        Map<String, Object> cache = base();
        cache.put("cache_size_mb", 0L);
        assertEquals("cache.size.mb 0 must be positive",
                assertThrows(ReplayDeskException.class, () -> new PagerService(config(cache))).getMessage());
        Map<String, Object> trust = base();
        trust.put("client_tls_trust", tmp.resolve("none.pem").toString());
        assertEquals("client.tls.trust " + tmp.resolve("none.pem") + " cannot be read",
                assertThrows(ReplayDeskException.class, () -> new PagerService(config(trust))).getMessage());
    }

    @Test
    void chunkingIsContentDefinedByDefaultAndFixedOnRequest() throws Exception {
        Files.write(tmp.resolve("img"), FileChunkStoreTest.image(300_000, 8));
        PagerService content = new PagerService(config(base()));
        try {
            org.replaydesk.pager.Manifest m = content.importImage("c", tmp.resolve("img"), ImportProgress.NONE);
            assertEquals(org.replaydesk.pager.Manifest.FORMAT_VARIABLE, m.format());
            assertEquals(131072, content.chunkSize(), "the longest chunk a content-defined import may cut");
        } finally {
            content.deactivate();
        }
        Map<String, Object> v = base();
        v.put("chunking", "fixed");
        PagerService fixed = new PagerService(config(v));
        try {
            org.replaydesk.pager.Manifest m = fixed.importImage("f", tmp.resolve("img"), ImportProgress.NONE);
            assertEquals(org.replaydesk.pager.Manifest.FORMAT_FIXED, m.format());
            assertEquals(4096, m.chunkSize());
        } finally {
            fixed.deactivate();
        }
    }

    @Test
    void badChunkingSettingsFailActivationNamingTheSetting() {
        Object[][] cases = {
            {"chunking", "rabin", "chunking 'rabin' is not 'content' or 'fixed'"},
            {"chunk_min_size", 10, "chunk.min.size 10 must be at least 64"},
            {"chunk_min_size", 32768, "chunk.average.size 32768 must be a power of two greater than chunk.min.size "
                    + "32768"},
            {"chunk_average_size", 40000, "chunk.average.size 40000 must be a power of two greater than "
                    + "chunk.min.size 8192"},
            {"chunk_max_size", 32768, "chunk.max.size 32768 must be greater than chunk.average.size 32768 and at "
                    + "most 16777216"},
            {"chunk_max_size", 1 << 25, "chunk.max.size 33554432 must be greater than chunk.average.size 32768 and "
                    + "at most 16777216"},
        };
        for (Object[] c : cases) {
            Map<String, Object> v = base();
            v.put((String) c[0], c[1]);
            assertEquals(c[2], assertThrows(ReplayDeskException.class, () -> new PagerService(config(v)))
                    .getMessage(), c[0] + " = " + c[1]);
        }
    }

    private void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }

    @Test
    void chunksTravelOverTlsToAClientThatTrustsTheServer() throws Exception {
        Path keystore = tmp.resolve("pager.p12");
        Path pem = tmp.resolve("pager.pem");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "pager", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "pager",
                "-file", pem.toString());
        byte[] image = FileChunkStoreTest.image(40_000, 8);
        Files.write(tmp.resolve("img"), image);

        Map<String, Object> v = base();
        v.put("tls_keystore", keystore.toString());
        v.put("_tls_keystore_password", "changeit");
        v.put("client_tls_trust", pem.toString());
        PagerService pager = new PagerService(config(v));
        Map<String, Object> plain = base();
        plain.put("cache_dir", tmp.resolve("plain-cache").toString());
        plain.put("server_enabled", false);
        plain.put("timeout_seconds", 5);
        PagerService plainClient = new PagerService(config(plain));
        try {
            pager.importImage("vm-s1", tmp.resolve("img"), ImportProgress.NONE);
            InetSocketAddress address = pager.serverAddress().orElseThrow();
            try (RemoteImage remote = pager.open(address, "vm-s1")) {
                assertArrayEquals(image, remote.read(0, image.length));
            }
            // A client speaking clear text to the TLS server gets an error, not a hang.
            ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> plainClient.open(address, "vm-s1"));
            assertEquals("chunk server " + address + ": the server closed the connection (while we waited for the "
                    + "answer to HELLO; is it a pager server, and does it expect TLS (client.tls.trust)?)",
                    e.getMessage());
        } finally {
            plainClient.deactivate();
            pager.deactivate();
        }
    }
}
