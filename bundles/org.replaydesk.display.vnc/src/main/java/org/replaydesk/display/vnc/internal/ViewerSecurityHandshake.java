package org.replaydesk.display.vnc.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.VeNCryptStatus;
import org.replaydesk.rfb.VeNCryptSubtypeAck;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthResponse;
import org.replaydesk.rfb.VncAuthentication;
import org.replaydesk.rfb.codec.AbstractRfbDecoder;
import org.replaydesk.rfb.codec.ClientInitDecoder;
import org.replaydesk.rfb.codec.PlainCredentialsDecoder;
import org.replaydesk.rfb.codec.SecurityTypeSelectionDecoder;
import org.replaydesk.rfb.codec.VeNCryptSubtypeSelectionDecoder;
import org.replaydesk.rfb.codec.VeNCryptVersionChoiceDecoder;
import org.replaydesk.rfb.codec.VncAuthResponseDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security phase of one viewer, from the agreed ProtocolVersion to the SecurityResult: the type list (or the
 * RFB 3.3 announcement), VeNCrypt version and sub-type, the TLS handshake (Netty's {@link SslHandler} added at the
 * head of the pipeline right after the sub-type acknowledgement, the last byte in clear), then the inner
 * authentication (None, VNC or Plain). It swaps the pipeline's "rfb" decoder like {@link ViewerHandler} does and
 * leaves a {@link ClientInitDecoder} there on success; on failure it closes the channel with a logged reason.
 *
 * <p>Kept out of {@link ViewerHandler} so that the handler stays about the normal phase. Event loop only.
 */
final class ViewerSecurityHandshake {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerSecurityHandshake.class);

    /** Name of the TLS handler in the pipeline. */
    static final String TLS_HANDLER = "tls";

    /** Pause between the end of the TLS handshake and the first RFB bytes inside it (see startTls). */
    static final long POST_HANDSHAKE_DELAY_MILLIS = 50;

    private final ViewerSecurity security;
    private final String display;
    private ProtocolVersion version;
    private Security method;
    private VncAuthChallenge challenge;

    /**
     * @param security what the display offers
     * @param display display name for log messages
     */
    ViewerSecurityHandshake(ViewerSecurity security, String display) {
        this.security = security;
        this.display = display;
    }

    /**
     * @param msg a decoded message
     * @return whether it belongs to this phase (after the ProtocolVersion, before ClientInit)
     */
    static boolean handles(RfbMessage msg) {
        return msg instanceof SecurityTypeSelection || msg instanceof VeNCryptVersion
                || msg instanceof VeNCryptSubtypeSelection || msg instanceof VncAuthResponse
                || msg instanceof PlainCredentials;
    }

    /** @return the method the viewer is using, or {@code null} before it chose */
    Security method() {
        return method;
    }

    /**
     * Starts the phase once the version is agreed.
     *
     * @param ctx the viewer handler's context
     * @param agreed the effective version (3.3, 3.7 or 3.8)
     */
    void start(ChannelHandlerContext ctx, ProtocolVersion agreed) {
        version = agreed;
        ChannelPipeline p = ctx.pipeline();
        if (version.hasSecurityTypeList()) {
            SecurityTypes offered = security.securityTypes();
            p.replace("rfb", "rfb", new SecurityTypeSelectionDecoder(offered));
            ctx.writeAndFlush(offered);
            return;
        }
        // RFB 3.3: the server picks, from the methods that work without a type list.
        method = security.forRfb33().orElse(null);
        if (method == null) {
            LOG.warn("viewer {} of {} speaks only RFB 3.3, which cannot negotiate TLS; refused", remote(ctx),
                    display);
            ctx.writeAndFlush(new ConnectionFailed("This display requires VeNCrypt (TLS), which RFB 3.3 viewers "
                    + "cannot negotiate; use a viewer that speaks RFB 3.7 or 3.8", true))
                    .addListener(ChannelFutureListener.CLOSE);
        } else if (method == Security.NONE) {
            // RFB 3.3 with None: no SecurityResult, straight to ClientInit.
            p.replace("rfb", "rfb", new ClientInitDecoder());
            ctx.writeAndFlush(new SecurityTypeAnnouncement(SecurityType.NONE));
        } else {
            ctx.write(new SecurityTypeAnnouncement(SecurityType.VNC_AUTHENTICATION));
            sendChallenge(ctx);
        }
    }

    /**
     * Advances the phase; the decoders have already rejected anything not offered.
     *
     * @param ctx the viewer handler's context
     * @param msg a message for which {@link #handles} is true
     */
    void handle(ChannelHandlerContext ctx, RfbMessage msg) {
        if (msg instanceof SecurityTypeSelection selection) {
            typeSelected(ctx, selection.type());
        } else if (msg instanceof VeNCryptVersion v) {
            veNCryptVersion(ctx, v);
        } else if (msg instanceof VeNCryptSubtypeSelection s) {
            startTls(ctx, Security.forSubtype(s.subtype()));
        } else if (msg instanceof VncAuthResponse r) {
            finish(ctx, VncAuthentication.verify(challenge, r, security.vncPassword()));
        } else if (msg instanceof PlainCredentials c) {
            finish(ctx, security.plainCredentialsMatch(c.username(), c.password()));
        }
    }

    private void typeSelected(ChannelHandlerContext ctx, int type) {
        ChannelPipeline p = ctx.pipeline();
        if (type == SecurityType.VENCRYPT) {
            p.replace("rfb", "rfb", new VeNCryptVersionChoiceDecoder());
            ctx.writeAndFlush(VeNCryptVersion.V0_2);
        } else if (type == SecurityType.VNC_AUTHENTICATION) {
            method = Security.VNCAUTH;
            sendChallenge(ctx);
        } else {
            method = Security.NONE;
            p.replace("rfb", "rfb", new ClientInitDecoder());
            if (version.isV38()) {
                ctx.writeAndFlush(SecurityResult.SUCCESS);
            }
            // RFB 3.7 sends no SecurityResult after None.
        }
    }

    private void veNCryptVersion(ChannelHandlerContext ctx, VeNCryptVersion chosen) {
        if (!chosen.equals(VeNCryptVersion.V0_2)) {
            LOG.warn("viewer {} of {} chose {}; only 0.2 is offered; refused", remote(ctx), display, chosen);
            ctx.writeAndFlush(VeNCryptStatus.REFUSED).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Present whenever VeNCrypt was offered, which the type decoder guarantees.
        VeNCryptSubtypes subtypes = security.veNCryptSubtypes().orElseThrow();
        ctx.pipeline().replace("rfb", "rfb", new VeNCryptSubtypeSelectionDecoder(subtypes));
        ctx.write(VeNCryptStatus.ACCEPTED);
        ctx.writeAndFlush(subtypes);
    }

    private void startTls(ChannelHandlerContext ctx, Security chosen) {
        ChannelPipeline p = ctx.pipeline();
        int early = ((AbstractRfbDecoder) p.get("rfb")).pendingBytes();
        if (early > 0) {
            // They were sent in clear before the viewer could know the sub-type was accepted: reading them as if
            // they had come through TLS would let a viewer skip the encryption it asked for.
            LOG.warn("viewer {} of {} sent {} bytes before the TLS handshake could start; closing", remote(ctx),
                    display, early);
            ctx.close();
            return;
        }
        method = chosen;
        // What the viewer sends through TLS after the handshake; nothing decrypted arrives before it completes.
        p.replace("rfb", "rfb", switch (chosen.inner()) {
            case NONE -> new ClientInitDecoder();
            case VNC -> new VncAuthResponseDecoder();
            case PLAIN -> new PlainCredentialsDecoder();
        });
        // The acknowledgement is the last byte in clear: written (through to the socket) before TLS is added.
        ctx.writeAndFlush(VeNCryptSubtypeAck.ACCEPTED);
        SslHandler tls = security.tls().newHandler(ctx.alloc());
        // Right before the RFB decoder, not at the head: on a WebSocket viewer the TLS records travel inside the
        // WebSocket messages (for TCP viewers the RFB decoder is the head, so this is the same place).
        p.addBefore("rfb", TLS_HANDLER, tls);
        tls.handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("viewer {} of {}: TLS handshake for {} failed: {}", remote(ctx), display,
                        chosen.configName(), f.cause().toString());
                ctx.close();
                return;
            }
            SSLSession session = tls.engine().getSession();
            LOG.info("viewer {} of {}: {} with {} {}", remote(ctx), display, chosen.configName(),
                    session.getProtocol(), session.getCipherSuite());
            // Not in the same TCP segment as the end of the handshake: with TLS 1.3 the JDK sends its session
            // ticket right then, and TigerVNC 1.12 (GnuTLS) reads both records off the socket while finishing the
            // handshake, then waits for the socket to become readable before it looks at the buffered
            // SecurityResult: it would wait forever. A separate segment a moment later wakes it up.
            ctx.executor().schedule(() -> {
                if (!ctx.channel().isActive()) {
                    return;
                }
                switch (chosen.inner()) {
                    case NONE -> ctx.writeAndFlush(SecurityResult.SUCCESS); // VeNCrypt always sends a result
                    case VNC -> {
                        challenge = VncAuthentication.newChallenge();
                        ctx.writeAndFlush(challenge);
                    }
                    case PLAIN -> {
                        // The viewer speaks next: its credentials.
                    }
                }
            }, POST_HANDSHAKE_DELAY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    private void sendChallenge(ChannelHandlerContext ctx) {
        challenge = VncAuthentication.newChallenge();
        ctx.pipeline().replace("rfb", "rfb", new VncAuthResponseDecoder());
        ctx.writeAndFlush(challenge);
    }

    private void finish(ChannelHandlerContext ctx, boolean authenticated) {
        if (authenticated) {
            ctx.pipeline().replace("rfb", "rfb", new ClientInitDecoder());
            ctx.writeAndFlush(SecurityResult.SUCCESS);
        } else {
            LOG.warn("viewer {} of {} failed {} authentication", remote(ctx), display, method.configName());
            ctx.writeAndFlush(SecurityResult.failed(version.isV38() ? "Authentication failed" : null))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static Object remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress();
    }
}
