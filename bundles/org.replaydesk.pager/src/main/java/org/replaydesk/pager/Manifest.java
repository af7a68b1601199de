package org.replaydesk.pager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.replaydesk.api.ReplayDeskException;

/**
 * What an image is made of: its id, its size in bytes, its chunk size and the hashes of its chunks in order. Every
 * chunk is {@code chunkSize} bytes long except the last, which holds the rest of the image. Immutable.
 *
 * <p>JSON form ({@link #toJson()}, {@link #fromJson(String)}):
 * <pre>{"format":1,"imageId":"vm1-s3","imageSize":1048576,"chunkSize":262144,"chunks":["9f86...",...]}</pre>
 */
public final class Manifest {

    /** Version of the JSON form; a reader refuses others so a future change cannot be misread silently. */
    public static final int FORMAT = 1;
    /** Smallest chunk size accepted: below it the per-chunk overhead (a file, a hash, a request) dominates. */
    public static final int MIN_CHUNK_SIZE = 4096;
    /** Largest chunk size accepted: a chunk travels in one protocol frame and is held in memory whole. */
    public static final int MAX_CHUNK_SIZE = 16 << 20;

    /** Image ids become file names and travel on the wire, so they are kept to a safe alphabet. */
    private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String imageId;
    private final long imageSize;
    private final int chunkSize;
    private final List<ChunkHash> chunks;

    /**
     * @param imageId the image's id ({@link #checkImageId})
     * @param imageSize bytes in the image
     * @param chunkSize bytes per chunk, a power of two from {@link #MIN_CHUNK_SIZE} to {@link #MAX_CHUNK_SIZE}
     * @param chunks the chunks' hashes in order; there must be ceil(imageSize / chunkSize) of them
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the inconsistency
     */
    public Manifest(String imageId, long imageSize, int chunkSize, List<ChunkHash> chunks) {
        this.imageId = checkImageId(imageId);
        this.chunkSize = checkChunkSize(chunkSize);
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

    /** @return the image's id */
    public String imageId() {
        return imageId;
    }

    /** @return bytes in the image */
    public long imageSize() {
        return imageSize;
    }

    /** @return bytes per chunk (the last chunk may be shorter) */
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
     */
    public int chunkLength(int index) {
        Objects.checkIndex(index, chunks.size());
        return (int) Math.min(chunkSize, imageSize - (long) index * chunkSize);
    }

    /** @return the JSON form */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("imageId", imageId);
        root.put("imageSize", imageSize);
        root.put("chunkSize", chunkSize);
        ArrayNode list = root.putArray("chunks");
        for (ChunkHash h : chunks) {
            list.add(h.hex());
        }
        return root.toString();
    }

    /**
     * @param json the JSON form
     * @return the manifest
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the field that is missing or wrong
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
        if (format == null || !format.isInt() || format.intValue() != FORMAT) {
            throw ReplayDeskException.invalid("manifest format " + format + " is not " + FORMAT);
        }
        String imageId = text(root, "imageId");
        long imageSize = number(root, "imageSize");
        long chunkSize = number(root, "chunkSize");
        if (chunkSize > Integer.MAX_VALUE) {
            throw ReplayDeskException.invalid("manifest field 'chunkSize' " + chunkSize + " is too large");
        }
        JsonNode list = root.get("chunks");
        if (list == null || !list.isArray()) {
            throw ReplayDeskException.invalid("manifest field 'chunks' is missing or not an array");
        }
        List<ChunkHash> chunks = new ArrayList<>(list.size());
        for (JsonNode h : list) {
            if (!h.isTextual()) {
                throw ReplayDeskException.invalid("manifest field 'chunks' holds " + h + ", not a hex string");
            }
            chunks.add(ChunkHash.parse(h.textValue()));
        }
        return new Manifest(imageId, imageSize, (int) chunkSize, chunks);
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
        return o instanceof Manifest m && imageId.equals(m.imageId) && imageSize == m.imageSize
                && chunkSize == m.chunkSize && chunks.equals(m.chunks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, imageSize, chunkSize, chunks);
    }

    @Override
    public String toString() {
        return "Manifest[" + imageId + ", " + imageSize + " bytes, " + chunks.size() + " chunks of " + chunkSize + "]";
    }
}
