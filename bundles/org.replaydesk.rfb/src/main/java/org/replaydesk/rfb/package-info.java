/**
 * RFB (VNC, RFC 6143 and the community rfbproto extensions) message model.
 *
 * <p>One immutable type per protocol message: the handshake steps ({@link org.replaydesk.rfb.ProtocolVersion},
 * {@link org.replaydesk.rfb.SecurityTypes}, {@link org.replaydesk.rfb.SecurityResult}, {@link org.replaydesk.rfb.ServerInit}
 * ..., and VeNCrypt's {@link org.replaydesk.rfb.VeNCryptVersion}, {@link org.replaydesk.rfb.VeNCryptSubtypes},
 * {@link org.replaydesk.rfb.PlainCredentials} ...), the client-to-server messages ({@link org.replaydesk.rfb.ClientMessage}) and the server-to-client messages
 * ({@link org.replaydesk.rfb.ServerMessage}), plus the shared value types {@link org.replaydesk.rfb.PixelFormat},
 * {@link org.replaydesk.rfb.ColourMap}, {@link org.replaydesk.rfb.Rect} and the {@link org.replaydesk.rfb.Encodings}
 * numbers. Every wire-level failure is an {@link org.replaydesk.rfb.RfbProtocolException} with a
 * {@link org.replaydesk.rfb.RfbProtocolException.Reason}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.replaydesk.rfb;
