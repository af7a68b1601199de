package org.replaydesk.pager;

import org.osgi.annotation.versioning.ConsumerType;

/** Told how far a {@link ChunkStore#importImage} has come; called after every chunk and once at the end. */
@ConsumerType
@FunctionalInterface
public interface ImportProgress {

    /** Reports nothing. */
    ImportProgress NONE = (done, total, stored) -> { };

    /**
     * @param bytesRead bytes of the image read so far
     * @param bytesTotal bytes in the image
     * @param bytesStored bytes of new chunks written so far (chunks the store already had cost nothing)
     */
    void progress(long bytesRead, long bytesTotal, long bytesStored);
}
