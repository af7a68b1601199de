package org.replaydesk.pager.internal;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.replaydesk.api.ReplayDeskException;

/**
 * TLS contexts for the chunk protocol (JDK provider, TLS 1.3 and 1.2): the server's from a PKCS12 keystore with one
 * key entry, the client's from a PEM file of trusted CAs. Failures name the file, because they end up in the
 * component's activation error.
 */
final class PagerTls {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private PagerTls() {
    }

    static SslContext server(Path keystore, char[] password) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw ReplayDeskException.invalid("cannot read tls.keystore " + keystore + " as PKCS12 (wrong "
                    + ".tls.keystore.password, or not a PKCS12 file?): " + e);
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw ReplayDeskException.invalid("tls.keystore " + keystore + " holds " + keys.size()
                        + " key entries " + keys + "; the chunk server needs exactly one");
            }
            PrivateKey key = (PrivateKey) store.getKey(keys.get(0), password);
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : store.getCertificateChain(keys.get(0))) {
                chain.add((X509Certificate) c);
            }
            return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0])).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS).build();
        } catch (GeneralSecurityException | IOException e) {
            throw ReplayDeskException.invalid("cannot use the key in tls.keystore " + keystore + ": " + e);
        }
    }

    static SslContext client(Path trust) {
        if (!Files.isReadable(trust)) {
            throw ReplayDeskException.invalid("client.tls.trust " + trust + " cannot be read");
        }
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                    .trustManager(trust.toFile()).endpointIdentificationAlgorithm("HTTPS").build();
        } catch (IOException | RuntimeException e) {
            throw ReplayDeskException.invalid("cannot use client.tls.trust " + trust + " as PEM CA certificates: "
                    + e);
        }
    }
}
