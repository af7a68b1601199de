/**
 * The snapshotter: takes snapshots of recording VMs ({@code savevm} while QEMU records), keeps a bounded number per
 * VM, exports each snapshot's image (and the base image under it) into the chunk store, and publishes a {@link
 * org.replaydesk.snapshot.SnapshotCatalog} per VM there. A replay client reads the catalog from the chunk server,
 * picks the newest snapshot, pages its image in on demand and streams the record log from the snapshot's
 * {@link org.replaydesk.snapshot.SnapshotInfo#logOffset() log offset}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.replaydesk.snapshot;
