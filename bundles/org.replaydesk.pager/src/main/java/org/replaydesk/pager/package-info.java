/**
 * Snapshot images as content-addressed chunks. The server side chunks an image file into a {@link
 * org.replaydesk.pager.ChunkStore} and serves its chunks; the client side opens a {@link
 * org.replaydesk.pager.RemoteImage} through an {@link org.replaydesk.pager.ImagePager}, which fetches only the chunks
 * its persistent {@link org.replaydesk.pager.ChunkCache} lacks. Chunks are named by their SHA-256 ({@link
 * org.replaydesk.pager.ChunkHash}); an image is a {@link org.replaydesk.pager.Manifest}: its size and its chunks' hashes
 * and lengths in order (fixed-size chunks, or content-defined ones that survive insertions).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.replaydesk.pager;
