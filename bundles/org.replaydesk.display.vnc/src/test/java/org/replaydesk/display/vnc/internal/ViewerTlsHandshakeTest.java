package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.VeNCryptStatus;
import org.replaydesk.rfb.VeNCryptSubtype;
import org.replaydesk.rfb.VeNCryptSubtypeAck;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthentication;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityResultDecoder;
import org.replaydesk.rfb.codec.SecurityTypesDecoder;
import org.replaydesk.rfb.codec.ServerInitDecoder;
import org.replaydesk.rfb.codec.ServerMessageDecoder;
import org.replaydesk.rfb.codec.VeNCryptStatusDecoder;
import org.replaydesk.rfb.codec.VeNCryptSubtypeAckDecoder;
import org.replaydesk.rfb.codec.VeNCryptSubtypesDecoder;
import org.replaydesk.rfb.codec.VeNCryptVersionDecoder;
import org.replaydesk.rfb.codec.VncAuthChallengeDecoder;

/**
 * The relay's VeNCrypt security (X509None, X509Vnc, X509Plain) against a viewer built from the codec library's
 * client-side decoders and a client {@link SslHandler} (JDK TLS) that trusts the test CA, over two
 * {@link EmbeddedChannel}s: real TLS records, no sockets. Covers success up to the first pixels, wrong secrets, a
 * viewer that does not trust the certificate, cleartext where the ClientHello belongs, bytes smuggled before TLS,
 * RFB 3.3 and 3.7 viewers, and the offered lists.
 */
class ViewerTlsHandshakeTest {

    private static final String VNC_PASSWORD = "k3yb0ard";
    private static final String USER = "alice";
    private static final String PLAIN_PASSWORD = "c0rrect h0rse";

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    /** The relay's TLS handler, kept because closing a channel empties its pipeline. */
    private SslHandler serverTls;

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** What the viewer does after the sub-type acknowledgement instead of a TLS handshake. */
    enum Misbehaviour {
        NONE,
        /** Sends cleartext bytes where the ClientHello belongs. */
        CLEARTEXT_INSTEAD_OF_TLS,
        /** Sends the Plain credentials in clear in the same packet as its sub-type choice, before TLS. */
        CREDENTIALS_BEFORE_TLS,
        /** Sends the Plain credentials in clear right after its sub-type choice, in a packet of their own. */
        CREDENTIALS_BEFORE_TLS_SEPARATELY
    }

    /** A VeNCrypt viewer written with the library's client side and Netty's client SslHandler. */
    static final class TlsViewer extends SimpleChannelInboundHandler<RfbMessage> {
        final ProtocolVersion version;
        final int subtype;
        final SslContext tls;
        final String user;
        final String password;
        final Misbehaviour misbehaviour;
        final List<RfbMessage> received = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        SslHandler sslHandler;
        VeNCryptVersion offeredVersion = VeNCryptVersion.V0_2;
        /** Whether to ask for the next incremental update after each one (a live viewer) instead of keeping them. */
        volatile boolean continuous;
        final java.util.concurrent.atomic.AtomicLong updateCount = new java.util.concurrent.atomic.AtomicLong();
        private Rect screen;

        TlsViewer(ProtocolVersion version, int subtype, SslContext tls, String user, String password,
                Misbehaviour misbehaviour) {
            this.version = version;
            this.subtype = subtype;
            this.tls = tls;
            this.user = user;
            this.password = password;
            this.misbehaviour = misbehaviour;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            if (msg instanceof FramebufferUpdate) {
                updateCount.incrementAndGet();
                if (continuous) {
                    ctx.writeAndFlush(new FramebufferUpdateRequest(true, screen));
                    return;
                }
            }
            received.add(msg);
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof ProtocolVersion) {
                p.replace("rfb", "rfb", new SecurityTypesDecoder(version));
                ctx.writeAndFlush(version);
            } else if (msg instanceof SecurityTypes types) {
                if (types.types().contains(SecurityType.VENCRYPT)) {
                    p.replace("rfb", "rfb", new VeNCryptVersionDecoder());
                    ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.VENCRYPT));
                }
            } else if (msg instanceof SecurityTypeAnnouncement a && a.type() == SecurityType.VNC_AUTHENTICATION) {
                p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
            } else if (msg instanceof VeNCryptVersion) {
                p.replace("rfb", "rfb", new VeNCryptStatusDecoder());
                ctx.writeAndFlush(offeredVersion);
            } else if (msg instanceof VeNCryptStatus s && s.ok()) {
                p.replace("rfb", "rfb", new VeNCryptSubtypesDecoder());
            } else if (msg instanceof VeNCryptSubtypes) {
                p.replace("rfb", "rfb", new VeNCryptSubtypeAckDecoder());
                if (misbehaviour == Misbehaviour.CREDENTIALS_BEFORE_TLS) {
                    ByteBuf both = ctx.alloc().buffer();
                    RfbMessageEncoder.write(new VeNCryptSubtypeSelection(subtype), both);
                    RfbMessageEncoder.write(new PlainCredentials(user, password), both);
                    ctx.writeAndFlush(both);
                    return;
                }
                ctx.write(new VeNCryptSubtypeSelection(subtype));
                if (misbehaviour == Misbehaviour.CREDENTIALS_BEFORE_TLS_SEPARATELY) {
                    ctx.write(new PlainCredentials(user, password));
                }
                ctx.flush();
            } else if (msg instanceof VeNCryptSubtypeAck ack && ack.accepted()) {
                if (misbehaviour == Misbehaviour.CLEARTEXT_INSTEAD_OF_TLS) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer("HELLO, I speak no TLS at all\n",
                            StandardCharsets.US_ASCII));
                    return;
                }
                p.replace("rfb", "rfb", subtype == VeNCryptSubtype.X509_VNC ? new VncAuthChallengeDecoder()
                        : new SecurityResultDecoder(version));
                sslHandler = tls.newHandler(ctx.alloc(), "localhost", 5900);
                p.addFirst("tls", sslHandler);
                if (subtype == VeNCryptSubtype.X509_PLAIN) {
                    // Queued by the SslHandler until the handshake is done: never in clear.
                    ctx.writeAndFlush(new PlainCredentials(user, password));
                }
            } else if (msg instanceof VncAuthChallenge c) {
                p.replace("rfb", "rfb", new SecurityResultDecoder(version));
                ctx.writeAndFlush(VncAuthentication.respond(c, password));
            } else if (msg instanceof SecurityResult r && r.ok()) {
                p.replace("rfb", "rfb", new ServerInitDecoder());
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit init) {
                screen = new Rect(0, 0, init.width(), init.height());
                p.replace("rfb", "rfb", new ServerMessageDecoder(init.pixelFormat(), init.width(), init.height()));
                ctx.write(SetEncodings.of(Encodings.RAW));
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, new Rect(0, 0, init.width(), init.height())));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close();
        }

        <T> T last(Class<T> type) {
            for (int i = received.size() - 1; i >= 0; i--) {
                if (type.isInstance(received.get(i))) {
                    return type.cast(received.get(i));
                }
            }
            return null;
        }
    }

    static SslContext trusting(java.nio.file.Path caCertificate) throws SSLException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(caCertificate.toFile())
                .protocols(TlsKeystore.PROTOCOLS).build();
    }

    private static ViewerSecurity security(Security... methods) {
        return ViewerSecurity.of(List.of(methods), VNC_PASSWORD, USER, PLAIN_PASSWORD,
                TestPki.get().serverContext());
    }

    private EmbeddedChannel server(Relay relay) {
        EmbeddedChannel channel = new EmbeddedChannel();
        relay.initViewerChannel(channel);
        channel.pipeline().fireChannelActive();
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel client(TlsViewer viewer) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        channel.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(viewer);
        channels.add(channel);
        return channel;
    }

    /**
     * Moves bytes both ways, running both sides' tasks, until neither writes anything more. Time is moved on past
     * the relay's short post-handshake pause (and its TLS nudges), so delayed writes happen within the shuttle.
     */
    private void shuttle(EmbeddedChannel server, EmbeddedChannel client) {
        boolean moved = true;
        int rounds = 0;
        while (moved || rounds++ < 2) {
            server.runPendingTasks();
            client.runPendingTasks();
            moved = move(server, client) | move(client, server);
            if (!moved) {
                server.advanceTimeBy(ViewerSecurityHandshake.POST_HANDSHAKE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                server.runPendingTasks();
                moved = move(server, client) | move(client, server);
            }
        }
    }

    private boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        Object o;
        while ((o = from.readOutbound()) != null) {
            moved = true;
            ByteBuf buf = (ByteBuf) o;
            if (to.isOpen()) {
                to.writeInbound(buf);
            } else {
                buf.release();
            }
            // After every packet: the relay may add its SslHandler and drop it again (close) within one move.
            if (serverTls == null && to.pipeline().get(SslHandler.class) != null && to.pipeline().get(
                    ViewerHandler.class) != null) {
                serverTls = to.pipeline().get(SslHandler.class);
            }
        }
        return moved;
    }

    private TlsViewer connect(ViewerSecurity security, ProtocolVersion version, int subtype, SslContext tls,
            String user, String password, Misbehaviour misbehaviour, EmbeddedChannel[] serverOut) {
        Relay relay = ViewerHandshakeTest.relay(security);
        TlsViewer viewer = new TlsViewer(version, subtype, tls, user, password, misbehaviour);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        if (serverOut != null) {
            serverOut[0] = server;
        }
        return viewer;
    }

    private void assertPixelsThroughTls(Security method, String user, String password) throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(method), ProtocolVersion.V3_8, method.subtype(),
                trusting(TestPki.get().caCertificate), user, password, Misbehaviour.NONE, server);
        assertEquals(List.of(), viewer.errors);
        assertEquals(SecurityTypes.of(SecurityType.VENCRYPT), viewer.received.get(1));
        assertEquals(VeNCryptSubtypes.of(method.subtype()), viewer.last(VeNCryptSubtypes.class));
        assertEquals(SecurityResult.SUCCESS, viewer.last(SecurityResult.class));
        FramebufferUpdate update = viewer.last(FramebufferUpdate.class);
        assertNotNull(update, "no pixels came through TLS: " + viewer.received);
        assertArrayEquals(ViewerHandshakeTest.screen(1), ((PixelRectangle) update.rectangles().get(0)).toArray());
        assertNotNull(serverTls, "the relay's pipeline has no SslHandler");
        assertEquals(serverTls, server[0].pipeline().first(), "TLS must be the first handler");
        assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(serverTls.engine().getSession().getProtocol()));
        assertTrue(server[0].isOpen());
    }

    @Test
    void x509NoneGetsPixelsThroughTls() throws Exception {
        assertPixelsThroughTls(Security.X509NONE, null, null);
    }

    @Test
    void x509VncGetsPixelsThroughTls() throws Exception {
        assertPixelsThroughTls(Security.X509VNC, null, VNC_PASSWORD);
    }

    @Test
    void x509PlainGetsPixelsThroughTls() throws Exception {
        assertPixelsThroughTls(Security.X509PLAIN, USER, PLAIN_PASSWORD);
    }

    private void assertRefused(Security method, String user, String password) throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(method), ProtocolVersion.V3_8, method.subtype(),
                trusting(TestPki.get().caCertificate), user, password, Misbehaviour.NONE, server);
        assertEquals(SecurityResult.failed("Authentication failed"), viewer.received.get(viewer.received.size() - 1));
        assertNull(viewer.last(ServerInit.class));
        assertFalse(server[0].isOpen(), "the relay must close after a failed authentication");
    }

    @Test
    void x509PlainWithAWrongPasswordIsRefusedWithAReasonThenClosed() throws Exception {
        assertRefused(Security.X509PLAIN, USER, "c0rrect h0rsf");
    }

    @Test
    void x509PlainWithAWrongUserIsRefused() throws Exception {
        assertRefused(Security.X509PLAIN, "mallory", PLAIN_PASSWORD);
    }

    @Test
    void x509VncWithAWrongPasswordIsRefused() throws Exception {
        assertRefused(Security.X509VNC, null, "keyb0ard");
    }

    @Test
    void aViewerThatDoesNotTrustTheCertificateGivesUpAndTheRelayCloses() throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(Security.X509PLAIN), ProtocolVersion.V3_8, VeNCryptSubtype.X509_PLAIN,
                trusting(TestPki.get().otherCaCertificate), USER, PLAIN_PASSWORD, Misbehaviour.NONE, server);
        assertFalse(viewer.errors.isEmpty(), "the viewer accepted a certificate from a CA it does not trust");
        assertInstanceOf(SSLException.class, viewer.errors.get(0).getCause() != null
                ? viewer.errors.get(0).getCause() : viewer.errors.get(0));
        assertNull(viewer.last(SecurityResult.class));
        assertFalse(server[0].isOpen(), "the relay must close after the viewer's TLS alert");
        assertFalse(serverTls.handshakeFuture().isSuccess());
    }

    @Test
    void cleartextWhereTheClientHelloBelongsClosesWithAReason() throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        connect(security(Security.X509NONE), ProtocolVersion.V3_8, VeNCryptSubtype.X509_NONE,
                trusting(TestPki.get().caCertificate), null, null, Misbehaviour.CLEARTEXT_INSTEAD_OF_TLS, server);
        assertFalse(server[0].isOpen());
        Throwable cause = serverTls.handshakeFuture().cause();
        assertInstanceOf(NotSslRecordException.class, cause, String.valueOf(cause));
    }

    /** In the same packet as the sub-type choice: caught before the acknowledgement, TLS never starts. */
    @Test
    void credentialsSentInClearWithTheSubtypeChoiceAreNotAccepted() throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(Security.X509PLAIN), ProtocolVersion.V3_8, VeNCryptSubtype.X509_PLAIN,
                trusting(TestPki.get().caCertificate), USER, PLAIN_PASSWORD, Misbehaviour.CREDENTIALS_BEFORE_TLS,
                server);
        assertFalse(server[0].isOpen());
        assertNull(viewer.last(VeNCryptSubtypeAck.class), "no acknowledgement for a viewer that skipped ahead");
        assertNull(viewer.last(SecurityResult.class));
        assertNull(serverTls, "TLS must not start");
    }

    /** In a later packet: they reach the SslHandler, which rejects them as not TLS; never read as credentials. */
    @Test
    void credentialsSentInClearAfterTheSubtypeChoiceAreNotAccepted() throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(Security.X509PLAIN), ProtocolVersion.V3_8, VeNCryptSubtype.X509_PLAIN,
                trusting(TestPki.get().caCertificate), USER, PLAIN_PASSWORD,
                Misbehaviour.CREDENTIALS_BEFORE_TLS_SEPARATELY, server);
        assertFalse(server[0].isOpen());
        assertNull(viewer.last(SecurityResult.class));
        assertInstanceOf(NotSslRecordException.class, serverTls.handshakeFuture().cause());
    }

    @Test
    void anUnsupportedVeNCryptVersionGetsStatus255ThenTheConnectionCloses() throws Exception {
        Relay relay = ViewerHandshakeTest.relay(security(Security.X509NONE));
        TlsViewer viewer = new TlsViewer(ProtocolVersion.V3_8, VeNCryptSubtype.X509_NONE,
                trusting(TestPki.get().caCertificate), null, null, Misbehaviour.NONE);
        viewer.offeredVersion = new VeNCryptVersion(0, 1);
        EmbeddedChannel server = server(relay);
        EmbeddedChannel client = client(viewer);
        shuttle(server, client);
        assertEquals(VeNCryptStatus.REFUSED, viewer.last(VeNCryptStatus.class));
        assertFalse(server.isOpen());
    }

    @Test
    void rfb37ViewerGetsASecurityResultAfterX509None() throws Exception {
        TlsViewer viewer = connect(security(Security.X509NONE), ProtocolVersion.V3_7, VeNCryptSubtype.X509_NONE,
                trusting(TestPki.get().caCertificate), null, null, Misbehaviour.NONE, null);
        assertEquals(SecurityResult.SUCCESS, viewer.last(SecurityResult.class));
        assertNotNull(viewer.last(FramebufferUpdate.class));
    }

    @Test
    void rfb33ViewerIsRefusedWithAReasonWhenOnlyTlsIsOffered() throws Exception {
        EmbeddedChannel[] server = new EmbeddedChannel[1];
        TlsViewer viewer = connect(security(Security.X509PLAIN, Security.X509VNC), ProtocolVersion.V3_3, 0, null,
                null, null, Misbehaviour.NONE, server);
        ConnectionFailed failed = viewer.last(ConnectionFailed.class);
        assertNotNull(failed, "expected a failure reason: " + viewer.received);
        assertTrue(failed.legacy() && failed.reason().contains("RFB 3.3"), failed.reason());
        assertFalse(server[0].isOpen());
    }

    @Test
    void rfb33ViewerGetsVncAuthenticationWhenItIsOfferedBesideTls() throws Exception {
        TlsViewer viewer = connect(security(Security.X509PLAIN, Security.VNCAUTH), ProtocolVersion.V3_3, 0, null,
                null, VNC_PASSWORD, Misbehaviour.NONE, null);
        assertEquals(new SecurityTypeAnnouncement(SecurityType.VNC_AUTHENTICATION),
                viewer.last(SecurityTypeAnnouncement.class));
        assertEquals(SecurityResult.SUCCESS, viewer.last(SecurityResult.class));
        assertNotNull(viewer.last(FramebufferUpdate.class));
    }

    @Test
    void offeredListsFollowTheConfiguredOrder() {
        ViewerSecurity security = security(Security.X509PLAIN, Security.VNCAUTH, Security.X509NONE);
        assertEquals(SecurityTypes.of(SecurityType.VENCRYPT, SecurityType.VNC_AUTHENTICATION),
                security.securityTypes());
        assertEquals(VeNCryptSubtypes.of(VeNCryptSubtype.X509_PLAIN, VeNCryptSubtype.X509_NONE),
                security.veNCryptSubtypes().orElseThrow());
        assertEquals(Security.VNCAUTH, security.forRfb33().orElseThrow());
        assertFalse(security.toString().contains(PLAIN_PASSWORD) || security.toString().contains(VNC_PASSWORD));
    }

    @Test
    void plainCredentialsMustMatchBothFields() {
        ViewerSecurity security = security(Security.X509PLAIN);
        assertTrue(security.plainCredentialsMatch(USER, PLAIN_PASSWORD));
        assertFalse(security.plainCredentialsMatch(USER, PLAIN_PASSWORD + " "));
        assertFalse(security.plainCredentialsMatch(USER.toUpperCase(), PLAIN_PASSWORD));
        assertFalse(security.plainCredentialsMatch("", ""));
    }
}
