package org.replaydesk.rfb;

/**
 * RFB 3.3 security step: the server alone chooses the type and sends it as a U32. Type 0 is a failure and decodes as
 * {@link ConnectionFailed} instead, since it is followed by a reason string.
 *
 * @param type {@link SecurityType#NONE} or {@link SecurityType#VNC_AUTHENTICATION} (3.3 knows no others)
 */
public record SecurityTypeAnnouncement(int type) implements RfbMessage {
}
