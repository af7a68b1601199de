package org.replaydesk.recordlog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ReplayDesk record-log streamer",
        description = "Where replaying clients fetch the record logs of this host's recording VMs")
@interface RecordLogConfiguration {

    @AttributeDefinition(description = "Address to listen on; any non-loopback address requires a token")
    String listen_address() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port to listen on")
    int port() default 5690;

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Shared token clients must give; prefer "
            + "'.token', which is not published as a service property")
    String token() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Shared token, kept out of the service "
            + "properties; wins over 'token'")
    String _token() default "";

    @AttributeDefinition(description = "PKCS12 keystore with the server's TLS certificate and key; empty: plain TCP "
            + "(allowed on loopback; warned about elsewhere)")
    String tls_keystore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of tls.keystore, kept out of the "
            + "service properties")
    String _tls_keystore_password() default "";

    @AttributeDefinition(description = "Alias of the key entry in tls.keystore; empty: its only key entry")
    String tls_key_alias() default "";

    @AttributeDefinition(description = "How often each stream looks for new log bytes, in milliseconds (1-1000); "
            + "the added latency is about half of it plus a millisecond")
    int poll_interval_ms() default 5;

    @AttributeDefinition(description = "How often each stream sends a heartbeat with the recorder's icount, in "
            + "milliseconds (10-10000)")
    int heartbeat_interval_ms() default 100;
}
