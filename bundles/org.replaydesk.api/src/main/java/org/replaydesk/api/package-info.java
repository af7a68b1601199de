/**
 * Core contracts of ReplayDesk shared by every bundle: identifiers and the root exception with its
 * {@link org.replaydesk.api.Status}.
 */
@Export
@Version("1.0.0")
package org.replaydesk.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
