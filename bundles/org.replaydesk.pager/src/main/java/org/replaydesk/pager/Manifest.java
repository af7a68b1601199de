package org.replaydesk.pager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.replaydesk.api.ReplayDeskException;

/**
 * What an image is made of: its id, its size in bytes and its chunks' hashes and lengths in order. Immutable.
 *
 * <p>Two formats:
 * <ul>
 * <li>format 1, fixed chunks: every chunk is {@link #chunkSize()} bytes long except the last, which holds the rest of
 * the image. JSON: <pre>{"format":1,"imageId":"vm1-s3","imageSize":1048576,"chunkSize":262144,"chunks":["9f86...",...]}</pre>
 * <li>format 2, variable chunks (content-defined chunking, so an insertion in an image shifts no later chunk): each
 * chunk has its own length, 1 to {@link #MAX_CHUNK_SIZE}, and the lengths sum to the image size. {@code chunking}
 * names the algorithm that cut them (informational: a reader needs only the lengths). JSON, with the lengths in an
 * array parallel to the hashes (compact: a number per chunk rather than an object):
 * <pre>{"format":2,"imageId":"vm1-rd-3","imageSize":40000,"chunking":"gear-v1","chunks":["9f86...",...],
 * "lengths":[32768,7232]}</pre>
 * </ul>
 * Use the offset accessors ({@link #chunkOffset}, {@link #chunkLength}, {@link #chunkIndexAt}), which work for both
 * formats; {@link #chunkSize()} is exact only for format 1.
 */
public final class Manifest {

    /** The fixed-chunk JSON form, still read (stores written by older versions) and still written for fixed chunks. */
    public static final int FORMAT_FIXED = 1;
    /**
     * The variable-chunk JSON form; a reader refuses formats it does not know so a future change cannot be misread.
     *
     * @since 1.3
     */
    public static final int FORMAT_VARIABLE = 2;
    /** Format 1, the fixed-chunk form, as before 1.3 (a constant is compiled into its users, so it keeps its value). */
    public static final int FORMAT = FORMAT_FIXED;
    /** {@link #chunking()} of a format 1 manifest. */
    public static final String CHUNKING_FIXED = "fixed";
    /** Smallest chunk size accepted: below it the per-chunk overhead (a file, a hash, a request) dominates. */
    public static final int MIN_CHUNK_SIZE = 4096;
    /** Largest chunk size accepted: a chunk travels in one protocol frame and is held in memory whole. */
    public static final int MAX_CHUNK_SIZE = 16 << 20;

    /** Image ids become file names and travel on the wire, so they are kept to a safe alphabet. */
    private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Chunking names travel in manifests and logs: short and plain. */
    private static final Pattern CHUNKING = Pattern.compile("[a-z0-9][a-z0-9.-]{0,31}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int format;
    private final String imageId;
    private final long imageSize;
    private final int chunkSize;
    private final String chunking;
    private final List<ChunkHash> chunks;
    /**
     * Format 2: offsets[i] is chunk i's first byte, offsets[chunks.size()] the image size; computed once. Format 1:
     * null, the offsets are multiples of chunkSize (no array: an image of 16 GiB in 4 KiB chunks would need 32 MB).
     */
    private final long[] offsets;

    /**
     * A format 1 manifest: fixed-size chunks.
     *
     * @param imageId the image's id ({@link #checkImageId})
     * @param imageSize bytes in the image
     * @param chunkSize bytes per chunk, a power of two from {@link #MIN_CHUNK_SIZE} to {@link #MAX_CHUNK_SIZE}
     * @param chunks the chunks' hashes in order; there must be ceil(imageSize / chunkSize) of them
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the inconsistency
     */
    public Manifest(String imageId, long imageSize, int chunkSize, List<ChunkHash> chunks) {
        this.format = FORMAT_FIXED;
        this.imageId = checkImageId(imageId);
        this.chunkSize = checkChunkSize(chunkSize);
        this.chunking = CHUNKING_FIXED;
        if (imageSize < 0) {
            throw ReplayDeskException.invalid("image " + imageId + ": negative size " + imageSize);
        }
        this.imageSize = imageSize;
        long expected = (imageSize + chunkSize - 1) / chunkSize;
        if (chunks.size() != expected) {
            throw ReplayDeskException.invalid("image " + imageId + ": " + imageSize + " bytes in chunks of "
                    + chunkSize + " make " + expected + " chunks, but the manifest lists " + chunks.size());
        }
        this.chunks = Collections.unmodifiableList(new ArrayList<>(chunks));
        this.offsets = null;
    }

    /**
     * A format 2 manifest: chunks of their own lengths.
     *
     * @param imageId the image's id ({@link #checkImageId})
     * @param imageSize bytes in the image; the lengths must sum to it
     * @param chunking name of the algorithm that cut the chunks (lower-case letters, digits, '.', '-'; e.g.
     *     "gear-v1")
     * @param chunks the chunks' hashes in order
     * @param lengths the chunks' lengths in the same order, each 1 to {@link #MAX_CHUNK_SIZE}
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the inconsistency (and the chunk's index)
     * @since 1.3
     */
    public Manifest(String imageId, long imageSize, String chunking, List<ChunkHash> chunks, int[] lengths) {
        this.format = FORMAT_VARIABLE;
        this.imageId = checkImageId(imageId);
        if (chunking == null || !CHUNKING.matcher(chunking).matches()) {
            throw ReplayDeskException.invalid("image " + imageId + ": chunking '" + chunking + "' is not 1-32 "
                    + "lower-case letters, digits, '.' and '-'");
        }
        this.chunking = chunking;
        if (imageSize < 0) {
            throw ReplayDeskException.invalid("image " + imageId + ": negative size " + imageSize);
        }
        this.imageSize = imageSize;
        if (lengths.length != chunks.size()) {
            throw ReplayDeskException.invalid("image " + imageId + ": " + chunks.size() + " chunk hashes but "
                    + lengths.length + " chunk lengths");
        }
        this.offsets = new long[chunks.size() + 1];
        long at = 0;
        int longest = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1 || lengths[i] > MAX_CHUNK_SIZE) {
                throw ReplayDeskException.invalid("image " + imageId + ": chunk " + i + " has length " + lengths[i]
                        + ", not 1 to " + MAX_CHUNK_SIZE);
            }
            offsets[i] = at;
            at += lengths[i];
            longest = Math.max(longest, lengths[i]);
        }
        if (at != imageSize) {
            throw ReplayDeskException.invalid("image " + imageId + ": the chunk lengths sum to " + at
                    + " bytes, but the image size is " + imageSize);
        }
        offsets[chunks.size()] = imageSize;
        this.chunkSize = longest;
        this.chunks = Collections.unmodifiableList(new ArrayList<>(chunks));
    }

    /**
     * @param imageId a proposed image id
     * @return it, when it is 1-128 characters of letters, digits, '.', '_', '-' and does not start with '.', '_' or '-'
     * @throws ReplayDeskException (INVALID_ARGUMENT) otherwise
     */
    public static String checkImageId(String imageId) {
        if (imageId == null || !IMAGE_ID.matcher(imageId).matches()) {
            throw ReplayDeskException.invalid("image id '" + imageId + "' is not 1-128 characters of letters, digits,"
                    + " '.', '_' and '-' starting with a letter or digit");
        }
        return imageId;
    }

    /**
     * @param chunkSize a proposed chunk size
     * @return it, when it is a power of two from {@link #MIN_CHUNK_SIZE} to {@link #MAX_CHUNK_SIZE}
     * @throws ReplayDeskException (INVALID_ARGUMENT) otherwise
     */
    public static int checkChunkSize(int chunkSize) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw ReplayDeskException.invalid("chunk size " + chunkSize + " is not a power of two from "
                    + MIN_CHUNK_SIZE + " to " + MAX_CHUNK_SIZE);
        }
        return chunkSize;
    }

    /**
     * @return the JSON form this manifest is written in: {@link #FORMAT_FIXED} or {@link #FORMAT_VARIABLE}
     * @since 1.3
     */
    public int format() {
        return format;
    }

    /**
     * @return how the chunks were cut: {@link #CHUNKING_FIXED} for format 1, the manifest's name for format 2
     * @since 1.3
     */
    public String chunking() {
        return chunking;
    }

    /** @return the image's id */
    public String imageId() {
        return imageId;
    }

    /** @return bytes in the image */
    public long imageSize() {
        return imageSize;
    }

    /**
     * @return format 1: bytes per chunk (the last chunk may be shorter), so chunk i starts at i * chunkSize. Format 2:
     *     the longest chunk's length (0 for an empty image), an upper bound for buffers; chunk offsets are NOT
     *     multiples of it, use {@link #chunkOffset} and {@link #chunkIndexAt}
     */
    public int chunkSize() {
        return chunkSize;
    }

    /** @return the chunks' hashes in image order (unmodifiable) */
    public List<ChunkHash> chunks() {
        return chunks;
    }

    /** @return the distinct hashes (an image often repeats chunks, e.g. zeros) */
    public Set<ChunkHash> distinctChunks() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(chunks));
    }

    /**
     * @param index chunk number
     * @return bytes in that chunk
     * @throws IndexOutOfBoundsException when there is no such chunk
     */
    public int chunkLength(int index) {
        Objects.checkIndex(index, chunks.size());
        if (offsets == null) {
            return (int) Math.min(chunkSize, imageSize - (long) index * chunkSize);
        }
        return (int) (offsets[index + 1] - offsets[index]);
    }

    /**
     * @param index chunk number
     * @return the image offset of that chunk's first byte
     * @throws IndexOutOfBoundsException when there is no such chunk
     * @since 1.3
     */
    public long chunkOffset(int index) {
        Objects.checkIndex(index, chunks.size());
        return offsets == null ? (long) index * chunkSize : offsets[index];
    }

    /**
     * @param offset a byte of the image, 0 to imageSize - 1
     * @return the number of the chunk holding it (a binary search over the chunks' offsets)
     * @throws ReplayDeskException (INVALID_ARGUMENT) when the offset is outside the image
     * @since 1.3
     */
    public int chunkIndexAt(long offset) {
        if (offset < 0 || offset >= imageSize) {
            throw ReplayDeskException.invalid("offset " + offset + " is outside image " + imageId + " ("
                    + imageSize + " bytes)");
        }
        if (offsets == null) {
            return (int) (offset / chunkSize);
        }
        // The chunk starting at the greatest offset <= offset; offsets are strictly increasing (lengths >= 1).
        int found = Arrays.binarySearch(offsets, 0, chunks.size(), offset);
        return found >= 0 ? found : -found - 2;
    }

    /** @return the JSON form, in this manifest's {@link #format()} */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", format);
        root.put("imageId", imageId);
        root.put("imageSize", imageSize);
        if (format == FORMAT_FIXED) {
            root.put("chunkSize", chunkSize);
        } else {
            root.put("chunking", chunking);
        }
        ArrayNode list = root.putArray("chunks");
        for (ChunkHash h : chunks) {
            list.add(h.hex());
        }
        if (format == FORMAT_VARIABLE) {
            ArrayNode lengths = root.putArray("lengths");
            for (int i = 0; i < chunks.size(); i++) {
                lengths.add(chunkLength(i));
            }
        }
        return root.toString();
    }

    /**
     * @param json the JSON form, format 1 or 2
     * @return the manifest
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the field (and index) that is missing or wrong
     */
    public static Manifest fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw ReplayDeskException.invalid("manifest is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ReplayDeskException.invalid("manifest is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isInt()
                || (format.intValue() != FORMAT_FIXED && format.intValue() != FORMAT_VARIABLE)) {
            throw ReplayDeskException.invalid("manifest format " + format + " is not " + FORMAT_FIXED + " or "
                    + FORMAT_VARIABLE);
        }
        String imageId = text(root, "imageId");
        long imageSize = number(root, "imageSize");
        if (format.intValue() == FORMAT_FIXED) {
            long chunkSize = number(root, "chunkSize");
            if (chunkSize > Integer.MAX_VALUE) {
                throw ReplayDeskException.invalid("manifest field 'chunkSize' " + chunkSize + " is too large");
            }
            return new Manifest(imageId, imageSize, (int) chunkSize, hashes(root));
        }
        String chunking = text(root, "chunking");
        List<ChunkHash> chunks = hashes(root);
        JsonNode list = root.get("lengths");
        if (list == null || !list.isArray()) {
            throw ReplayDeskException.invalid("manifest field 'lengths' is missing or not an array");
        }
        int[] lengths = new int[list.size()];
        for (int i = 0; i < lengths.length; i++) {
            JsonNode n = list.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw ReplayDeskException.invalid("manifest field 'lengths' holds " + n + " at index " + i
                        + ", not an integer");
            }
            lengths[i] = n.intValue();
        }
        return new Manifest(imageId, imageSize, chunking, chunks, lengths);
    }

    private static List<ChunkHash> hashes(JsonNode root) {
        JsonNode list = root.get("chunks");
        if (list == null || !list.isArray()) {
            throw ReplayDeskException.invalid("manifest field 'chunks' is missing or not an array");
        }
        List<ChunkHash> chunks = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode h = list.get(i);
            if (!h.isTextual()) {
                throw ReplayDeskException.invalid("manifest field 'chunks' holds " + h + " at index " + i
                        + ", not a hex string");
            }
            try {
                chunks.add(ChunkHash.parse(h.textValue()));
            } catch (ReplayDeskException e) {
                throw ReplayDeskException.invalid("manifest field 'chunks' at index " + i + ": " + e.getMessage());
            }
        }
        return chunks;
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw ReplayDeskException.invalid("manifest field '" + field + "' is missing or not a string");
        }
        return n.textValue();
    }

    private static long number(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
            throw ReplayDeskException.invalid("manifest field '" + field + "' is missing or not an integer");
        }
        return n.longValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && format == m.format && imageId.equals(m.imageId) && imageSize == m.imageSize
                && chunkSize == m.chunkSize && chunking.equals(m.chunking) && chunks.equals(m.chunks)
                && Arrays.equals(offsets, m.offsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, imageId, imageSize, chunkSize, chunks);
    }

    @Override
    public String toString() {
        return format == FORMAT_FIXED
                ? "Manifest[" + imageId + ", " + imageSize + " bytes, " + chunks.size() + " chunks of " + chunkSize + "]"
                : "Manifest[" + imageId + ", " + imageSize + " bytes, " + chunks.size() + " " + chunking
                        + " chunks of at most " + chunkSize + "]";
    }
}
