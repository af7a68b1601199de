package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The component's configuration checks: unsafe or unusable settings fail activation with a message that says why. */
class RecordLogServiceTest {

    /** A configuration with the annotation's defaults, overridden by {@code values} (keys are method names). */
    static RecordLogConfiguration config(Map<String, Object> values) {
        return (RecordLogConfiguration) Proxy.newProxyInstance(RecordLogConfiguration.class.getClassLoader(),
                new Class<?>[] {RecordLogConfiguration.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    return method.getDefaultValue();
                });
    }

    private static String refused(Map<String, Object> values) {
        return assertThrows(IllegalArgumentException.class,
                () -> RecordLogService.Settings.of(config(values))).getMessage();
    }

    @Test
    void defaultsAreLoopbackWithoutTokenOrTls() {
        RecordLogService.Settings s = RecordLogService.Settings.of(config(Map.of()));
        assertTrue(s.listen().getAddress().isLoopbackAddress());
        assertEquals(5690, s.listen().getPort());
        assertEquals("", s.token());
        assertNull(s.tls());
        assertEquals(5, s.poll().toMillis());
        assertEquals(100, s.heartbeat().toMillis());
    }

    @Test
    void nonLoopbackNeedsAToken() {
        assertTrue(refused(Map.of("listen_address", "0.0.0.0")).startsWith("listen.address 0.0.0.0 is not loopback, "
                + "so anyone on the network could read the desktops' record logs; set '.token'"));
        RecordLogService.Settings s = RecordLogService.Settings.of(config(Map.of("listen_address", "0.0.0.0",
                "_token", "t0ken")));
        assertEquals("t0ken", s.token());
        assertTrue(!s.toString().contains("t0ken"), "the token never shows in toString: " + s);
    }

    @Test
    void privateTokenWinsOverThePublicOne() {
        Map<String, Object> values = new HashMap<>();
        values.put("token", "public");
        values.put("_token", "private");
        assertEquals("private", RecordLogService.Settings.of(config(values)).token());
        assertEquals("public", RecordLogService.Settings.of(config(Map.of("token", "public"))).token());
    }

    @Test
    void badValuesAreNamed() {
        assertEquals("port 70000 is not a TCP port", refused(Map.of("port", 70000)));
        assertEquals("poll.interval.ms 0 is outside 1-1000", refused(Map.of("poll_interval_ms", 0)));
        assertEquals("heartbeat.interval.ms 5 is outside 10-10000", refused(Map.of("heartbeat_interval_ms", 5)));
        assertEquals("listen.address 'no.such.host.invalid' does not resolve",
                refused(Map.of("listen_address", "no.such.host.invalid")));
        assertTrue(refused(Map.of("tls_keystore", "/nonexistent.p12")).startsWith(
                "cannot read tls.keystore /nonexistent.p12 as PKCS12"));
    }
}
