package org.replaydesk.shell.internal;

import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.pager.CacheStats;
import org.replaydesk.pager.ChunkCache;

/** Shows the client-side chunk cache: what it holds against its limit, and how reads went since it opened. */
@Command(scope = "desk", name = "cache-stats",
        description = "Shows the snapshot chunk cache: size against its limit, hits, misses, corrupted chunks, evictions")
@Service
public class CacheStatsCommand implements Action {

    @Reference
    ChunkCache cache;

    @Option(name = "--no-format", description = "key<TAB>value lines with raw numbers")
    boolean noFormat;

    @Override
    public Object execute() {
        CacheStats s = cache.stats();
        long reads = s.hits() + s.misses();
        String[][] rows = {
            {"chunks", Long.toString(s.chunks())},
            {"size", noFormat ? Long.toString(s.bytes()) : Formats.bytes(s.bytes())},
            {"limit", noFormat ? Long.toString(s.sizeLimit()) : Formats.bytes(s.sizeLimit())},
            {"hits", Long.toString(s.hits())},
            {"misses", Long.toString(s.misses())},
            {"hit rate", reads == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * s.hits() / reads)},
            {"corrupted", Long.toString(s.corrupted())},
            {"evictions", Long.toString(s.evictions())},
            {"stored", noFormat ? Long.toString(s.bytesStored()) : Formats.bytes(s.bytesStored())},
            {"evicted", noFormat ? Long.toString(s.bytesEvicted()) : Formats.bytes(s.bytesEvicted())},
        };
        for (String[] row : rows) {
            System.out.println(noFormat ? row[0] + "\t" + row[1] : String.format(Locale.ROOT, "%-10s %s", row[0],
                    row[1]));
        }
        return null;
    }
}
