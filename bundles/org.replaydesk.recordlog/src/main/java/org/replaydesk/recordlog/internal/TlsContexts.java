package org.replaydesk.recordlog.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
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
import javax.net.ssl.SSLParameters;

/**
 * TLS for the log stream with the JDK provider: the server's context from a PKCS12 keystore, the client's from a PEM
 * file of trusted CAs with the server's host name checked. Failures are {@link IllegalArgumentException}s naming the
 * file and the problem, because they end up in an activation or subscription error.
 */
final class TlsContexts {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {
    }

    static SslContext server(Path keystore, char[] password, String alias) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read tls.keystore " + keystore + " as PKCS12 (wrong "
                    + ".tls.keystore.password, or not a PKCS12 file?): " + e, e);
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    keys.add(a);
                }
            }
            String chosen = alias.isEmpty() && keys.size() == 1 ? keys.get(0) : alias;
            if (!keys.contains(chosen)) {
                throw new IllegalArgumentException("tls.keystore " + keystore + " has key entries " + keys
                        + "; set tls.key.alias to one of them");
            }
            PrivateKey key = (PrivateKey) store.getKey(chosen, password);
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : store.getCertificateChain(chosen)) {
                chain.add((X509Certificate) c);
            }
            chain.get(0).checkValidity();
            return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0])).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS).clientAuth(ClientAuth.NONE).build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the key in tls.keystore " + keystore + ": " + e, e);
        }
    }

    static SslContext client(Path trust) {
        if (!Files.isReadable(trust)) {
            throw new IllegalArgumentException("TLS trust file " + trust + " cannot be read");
        }
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                    .trustManager(trust.toFile()).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot use " + trust + " as PEM CA certificates: " + e, e);
        }
    }

    /** A client handler whose engine checks that the certificate names {@code host}. */
    static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SSLParameters parameters = handler.engine().getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        handler.engine().setSSLParameters(parameters);
        return handler;
    }
}
