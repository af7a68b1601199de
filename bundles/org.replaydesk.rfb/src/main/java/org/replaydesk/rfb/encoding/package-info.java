/**
 * Pixel conversion and the rectangle encodings: Raw, Hextile, ZRLE and Tight (with JPEG).
 *
 * <p>Everything here works from and to 0x00RRGGBB {@code int[]} framebuffers (offset + stride, so a region of a larger
 * screen needs no copy) and a {@link org.replaydesk.rfb.encoding.PixelConverter} for the client's pixel format.
 * Stateless encodings are static methods; ZRLE and Tight carry their zlib streams in per-connection
 * {@link org.replaydesk.rfb.encoding.ZrleEncoder}/{@link org.replaydesk.rfb.encoding.ZrleDecoder} and
 * {@link org.replaydesk.rfb.encoding.TightEncoder}/{@link org.replaydesk.rfb.encoding.TightDecoder} objects. Decoders
 * return {@code false} without consuming anything when the buffer does not yet hold the whole rectangle, and throw
 * {@link org.replaydesk.rfb.RfbProtocolException} for corrupt data.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.replaydesk.rfb.encoding;
