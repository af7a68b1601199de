/**
 * Adaptive desktop sessions and their mode-switching policy SPI.
 *
 * <p>A session shows one VM to its viewers either by remote display (the server's framebuffer, encoded by the
 * relay) or by record/replay (a replayer on the client host fed by the server's record log). A
 * {@link org.replaydesk.api.session.ModeSwitchPolicy} decides when to switch; the session service enforces the mode
 * machine (design.md "Modes") and carries out the switches. Third parties implement
 * {@link org.replaydesk.api.session.ModeSwitchPolicy} (usually by extending
 * {@link org.replaydesk.api.session.AbstractModeSwitchPolicy}) in their own bundle and register it as an OSGi
 * service with the {@value org.replaydesk.api.session.ModeSwitchPolicy#NAME_PROPERTY} property; see
 * {@code docs/policy-spi.md}.
 */
@Export
@Version("1.4.0")
package org.replaydesk.api.session;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
