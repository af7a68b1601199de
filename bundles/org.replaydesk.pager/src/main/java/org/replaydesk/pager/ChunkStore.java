package org.replaydesk.pager;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The server side: images split into chunks stored once each by hash, plus one manifest per image. Chunks shared by
 * several images (two snapshots of one VM share most of theirs) are stored once.
 */
@ProviderType
public interface ChunkStore {

    /**
     * Chunks an image file into the store under an id, replacing an earlier manifest with that id.
     *
     * @param imageId id to publish the image under ({@link Manifest#checkImageId})
     * @param image the image file; it must not change while it is read
     * @param progress told about progress as the file is read (on the calling thread)
     * @return the new manifest
     * @throws org.replaydesk.api.ReplayDeskException naming the file when it cannot be read or the store written
     */
    Manifest importImage(String imageId, Path image, ImportProgress progress);

    /**
     * Removes an image: its manifest, and its chunks that no other image uses. Snapshotters keep a bounded number of
     * snapshots, so the store must be able to shrink.
     *
     * @param imageId the image
     * @return whether there was such an image
     */
    boolean removeImage(String imageId);

    /**
     * @param imageId an image id
     * @return its manifest, or empty when the store has no such image
     */
    Optional<Manifest> manifest(String imageId);

    /** @return ids of the stored images, sorted */
    List<String> imageIds();

    /**
     * @param hash a chunk's hash
     * @return its bytes, or empty when the store has no such chunk
     */
    Optional<byte[]> chunk(ChunkHash hash);

    /**
     * @return the store's chunk size for new imports: with fixed chunks their size, with content-defined chunks
     *     (format 2 manifests) the longest a chunk may be
     */
    int chunkSize();
}
