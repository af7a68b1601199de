package org.replaydesk.snapshot;

import java.util.Objects;

import org.replaydesk.pager.Manifest;

/**
 * The read-only base a snapshot image is a qcow2 overlay of (the demo guest's disk, or a template image). It
 * travels through the chunk store like the snapshot image, so a client needs no copy of it beforehand; it is
 * content-addressed, so every snapshot of every VM on that base shares it.
 *
 * @param imageId its id in the chunk store
 * @param format its QEMU format, {@code raw} or {@code qcow2}
 */
public record BackingImage(String imageId, String format) {
    public BackingImage {
        Manifest.checkImageId(imageId);
        Objects.requireNonNull(format, "format");
        if (!format.equals("raw") && !format.equals("qcow2")) {
            throw org.replaydesk.api.ReplayDeskException.invalid("backing image " + imageId + ": format '" + format
                    + "' is neither raw nor qcow2");
        }
    }
}
