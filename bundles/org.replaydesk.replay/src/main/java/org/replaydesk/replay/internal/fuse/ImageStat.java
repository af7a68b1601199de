package org.replaydesk.replay.internal.fuse;

/**
 * rdfuse's {@code STAT} of an image (see native-hooks/fuse/README.md, "Images").
 *
 * @param size current size (grows when written past {@code imageSize})
 * @param imageSize the pristine image's size
 * @param chunkSize chunk size
 * @param chunks number of chunks
 * @param present chunks stored
 * @param requested chunks asked for with NEED and not answered yet
 * @param needs indices sent in NEED lines so far
 * @param chunkErrors CHUNKERRs received
 * @param state {@code ok} or {@code aborted}
 * @param blocked parked reads and writes
 * @param opens open file handles
 * @param reads read requests so far
 * @param maxRead largest read request
 * @param bytesRead bytes returned to readers
 * @param writes completed writes
 * @param bytesWritten bytes written
 * @param cowBlocks 4 KiB blocks in the copy-on-write overlay
 */
public record ImageStat(long size, long imageSize, long chunkSize, long chunks, long present, long requested,
        long needs, long chunkErrors, String state, long blocked, long opens, long reads, long maxRead,
        long bytesRead, long writes, long bytesWritten, long cowBlocks) {

    static ImageStat parse(String fields) {
        StatFields f = new StatFields(fields);
        return new ImageStat(f.number("size"), f.number("imagesize"), f.number("chunksize"), f.number("chunks"),
                f.number("present"), f.number("requested"), f.number("needs"), f.number("chunkerrs"),
                f.text("state"), f.number("blocked"), f.number("opens"), f.number("reads"), f.number("maxread"),
                f.number("bytesread"), f.number("writes"), f.number("byteswritten"), f.number("cowblocks"));
    }
}
