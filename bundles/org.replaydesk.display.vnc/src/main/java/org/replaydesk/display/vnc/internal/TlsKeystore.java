package org.replaydesk.display.vnc.internal;

import io.netty.handler.ssl.ClientAuth;
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
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Builds the displays' TLS server context from a PKCS12 keystore: the private key and certificate chain of one key
 * entry, served with the JDK's TLS (1.3 and 1.2 only). Every failure becomes an {@link IllegalArgumentException}
 * whose message names the file and what is wrong with it, because it ends up in the activation error.
 */
final class TlsKeystore {

    /** TLS versions offered to viewers; older ones have known weaknesses and no viewer in use needs them. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsKeystore() {
    }

    /**
     * @param keystore PKCS12 file
     * @param password keystore password (also used for the key, as keytool does for PKCS12)
     * @param alias key entry to use; empty: the keystore must hold exactly one key entry
     * @return the server context
     */
    static SslContext serverContext(Path keystore, char[] password, String alias) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password shows up as an IOException whose cause is an UnrecoverableKeyException.
            throw new IllegalArgumentException("cannot read tls.keystore " + keystore + " as PKCS12 (wrong "
                    + ".tls.keystore.password, or not a PKCS12 file?): " + e, e);
        }
        try {
            String chosen = keyAlias(store, keystore, alias);
            PrivateKey key = (PrivateKey) store.getKey(chosen, password);
            Certificate[] chain = store.getCertificateChain(chosen);
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : chain) {
                certificates.add((X509Certificate) c);
            }
            certificates.get(0).checkValidity();
            return SslContextBuilder.forServer(key, certificates.toArray(new X509Certificate[0]))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the key in tls.keystore " + keystore + ": " + e, e);
        }
    }

    /**
     * The client side, for a display that reads another host's display through VeNCrypt: trusts only the CAs in a
     * PEM file, and checks that the server's certificate names the host (the engine gets the host, and endpoint
     * identification is turned on in {@link #clientEngineFor}).
     *
     * @param trust PEM file with CA certificates
     * @return the client context
     */
    static SslContext clientContext(Path trust) {
        if (!Files.isReadable(trust)) {
            throw new IllegalArgumentException("TLS trust file " + trust + " cannot be read");
        }
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .trustManager(trust.toFile())
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot use " + trust + " as PEM CA certificates: " + e, e);
        }
    }

    /**
     * @param context a {@link #clientContext}
     * @param alloc the channel's allocator
     * @param host the server's host name or address, checked against its certificate
     * @param port the server's port
     * @return a handler whose engine verifies the host name
     */
    static io.netty.handler.ssl.SslHandler clientHandler(SslContext context, io.netty.buffer.ByteBufAllocator alloc,
            String host, int port) {
        io.netty.handler.ssl.SslHandler handler = context.newHandler(alloc, host, port);
        javax.net.ssl.SSLParameters parameters = handler.engine().getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        handler.engine().setSSLParameters(parameters);
        return handler;
    }

    private static String keyAlias(KeyStore store, Path keystore, String alias) throws GeneralSecurityException {
        List<String> keys = new ArrayList<>();
        for (String a : Collections.list(store.aliases())) {
            if (store.isKeyEntry(a)) {
                keys.add(a);
            }
        }
        if (!alias.isEmpty()) {
            if (!keys.contains(alias)) {
                throw new IllegalArgumentException("tls.keystore " + keystore + " has no key entry '" + alias
                        + "' (key entries: " + keys + ")");
            }
            return alias;
        }
        if (keys.size() != 1) {
            throw new IllegalArgumentException("tls.keystore " + keystore + " holds " + keys.size()
                    + " key entries " + keys + "; set tls.key.alias to the one the displays should use");
        }
        return keys.get(0);
    }
}
