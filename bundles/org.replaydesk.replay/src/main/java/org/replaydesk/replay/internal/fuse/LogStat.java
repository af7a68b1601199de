package org.replaydesk.replay.internal.fuse;

/**
 * rdfuse's {@code STAT} of a live log (see native-hooks/fuse/README.md).
 *
 * @param received bytes stored, contiguous from {@code start}
 * @param asked highest offset at which a reader started a read
 * @param served highest end offset returned to a reader
 * @param state {@code live}, {@code ended} or {@code aborted}
 * @param blocked reads waiting for data (above 0: the replayer has consumed everything and waits)
 * @param opens open file handles
 * @param reads read requests so far
 * @param maxRead largest read request
 * @param bytesRead bytes returned to readers
 * @param start the log's start offset ({@code LOG NAME START}; 0 for a plain log or an rdfuse that predates it)
 */
public record LogStat(long received, long asked, long served, String state, long blocked, long opens, long reads,
        long maxRead, long bytesRead, long start) {

    static LogStat parse(String fields) {
        StatFields f = new StatFields(fields);
        return new LogStat(f.number("received"), f.number("asked"), f.number("served"), f.text("state"),
                f.number("blocked"), f.number("opens"), f.number("reads"), f.number("maxread"), f.number("bytesread"),
                f.optionalNumber("start"));
    }
}
