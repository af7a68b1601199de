/**
 * Netty codec for RFB: one decoder per protocol phase and side, one {@code @Sharable} encoder for every message whose
 * bytes do not depend on connection state, and a stateful {@link org.replaydesk.rfb.codec.FramebufferUpdateEncoder}
 * for pixel data (client pixel format, persistent ZRLE/Tight zlib streams).
 *
 * <p>Server pipeline: {@link org.replaydesk.rfb.codec.ProtocolVersionDecoder} &rarr;
 * {@link org.replaydesk.rfb.codec.SecurityTypeSelectionDecoder} (3.7+) &rarr;
 * {@link org.replaydesk.rfb.codec.VncAuthResponseDecoder} (VNC auth) or, for VeNCrypt,
 * {@link org.replaydesk.rfb.codec.VeNCryptVersionChoiceDecoder} &rarr;
 * {@link org.replaydesk.rfb.codec.VeNCryptSubtypeSelectionDecoder} &rarr; (TLS) &rarr; {@code VncAuthResponseDecoder}
 * or {@link org.replaydesk.rfb.codec.PlainCredentialsDecoder} &rarr;
 * {@link org.replaydesk.rfb.codec.ClientInitDecoder} &rarr; {@link org.replaydesk.rfb.codec.ClientMessageDecoder}, with
 * {@link org.replaydesk.rfb.codec.RfbMessageEncoder#INSTANCE} and a {@code FramebufferUpdateEncoder}. Client
 * pipeline: {@code ProtocolVersionDecoder} &rarr; {@link org.replaydesk.rfb.codec.SecurityTypesDecoder} &rarr;
 * {@link org.replaydesk.rfb.codec.VncAuthChallengeDecoder} (or, for VeNCrypt,
 * {@link org.replaydesk.rfb.codec.VeNCryptVersionDecoder} &rarr; {@link org.replaydesk.rfb.codec.VeNCryptStatusDecoder}
 * &rarr; {@link org.replaydesk.rfb.codec.VeNCryptSubtypesDecoder} &rarr;
 * {@link org.replaydesk.rfb.codec.VeNCryptSubtypeAckDecoder} &rarr; (TLS) &rarr; ...) &rarr;
 * {@link org.replaydesk.rfb.codec.SecurityResultDecoder}
 * &rarr; {@link org.replaydesk.rfb.codec.ServerInitDecoder} &rarr; {@link org.replaydesk.rfb.codec.ServerMessageDecoder},
 * with {@code RfbMessageEncoder.INSTANCE}. The application's handshake handler replaces each decoder with the next
 * one ({@code pipeline.replace}) when it has handled the decoder's message; bytes that arrived early are handed on.
 * For the TLS sub-types of VeNCrypt the application adds Netty's {@code SslHandler} at the head of the pipeline
 * right after the sub-type acknowledgement, first checking {@link org.replaydesk.rfb.codec.AbstractRfbDecoder#pendingBytes()}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.replaydesk.rfb.codec;
