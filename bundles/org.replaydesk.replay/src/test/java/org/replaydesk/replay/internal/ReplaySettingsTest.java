package org.replaydesk.replay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;

class ReplaySettingsTest {

    @TempDir
    Path tmp;

    /** A configuration with the defaults, some keys overridden. */
    private static ReplayConfiguration config(Map<String, Object> values) {
        return (ReplayConfiguration) java.lang.reflect.Proxy.newProxyInstance(ReplaySettingsTest.class.getClassLoader(),
                new Class<?>[] {ReplayConfiguration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return ReplayConfiguration.class;
                    }
                    return values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }

    @Test
    void defaultsLiveInTheDistribution() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("karaf"));
        Path rdfuse = Files.createDirectories(home.resolve("native")).resolve("rdfuse");
        Files.write(rdfuse, new byte[] {0});
        ReplaySettings s = ReplaySettings.of(config(Map.of()), home.toString(), home.resolve("data").toString());
        assertEquals(rdfuse, s.rdfuse());
        assertTrue(Files.isExecutable(rdfuse), "the shipped helper is made executable when an unpacker dropped the bit");
        assertEquals(home.resolve("data/replaydesk/replay"), s.workDir());
        assertEquals("qemu-img", s.qemuImg());
        assertEquals(4, s.imageThreads());
    }

    @Test
    void theTokenIsNeverShownAndThePrivateOneWins() {
        ReplaySettings s = ReplaySettings.of(config(Map.of("log_token", "public", "_log_token", "s3cret")),
                tmp.toString(), tmp.toString());
        assertEquals("s3cret", s.logToken());
        assertFalse(s.toString().contains("s3cret"), s.toString());
        assertFalse(s.toString().contains("public"), s.toString());
    }

    @Test
    void badValuesNameTheirKey() {
        Map<String, Map<String, Object>> bad = Map.of(
                "start.timeout.seconds", Map.of("start_timeout_seconds", 0),
                "image.threads", Map.of("image_threads", 65),
                "qemu.img.binary", Map.of("qemu_img_binary", " "),
                "log.tls.trust", Map.of("log_tls_trust", tmp.resolve("missing.pem").toString()));
        bad.forEach((key, values) -> {
            ReplayDeskException e = assertThrows(ReplayDeskException.class,
                    () -> ReplaySettings.of(config(values), tmp.toString(), tmp.toString()), key);
            assertTrue(e.getMessage().contains(key), e.getMessage());
        });
    }
}
