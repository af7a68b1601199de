package org.replaydesk.rfb;

/**
 * Marker of every RFB protocol message, handshake steps included.
 *
 * <p>The encoders accept any {@code RfbMessage}; the decoders emit them. Keeping one common supertype lets a
 * single {@code @Sharable} encoder serve both the server and the client pipeline.
 */
public interface RfbMessage {
}
