package io.kbr.blobstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The layout of a pack object: many small blobs in one S3 object, because one PUT per item document is
 * what limits a backup against an object store (docs/benchmarks.md).
 *
 * <pre>
 *   entry 0 | entry 1 | … | index | index length (4 bytes, big-endian) | magic "KBRPACK1"
 *   index  = entry count (4) then per entry: sha256 (32) | plain size (8) | offset (8) | stored length (4)
 * </pre>
 *
 * Each entry is one zstd frame of a blob's plaintext, passed through the store's codec, so it can be read
 * on its own with a range request. The index makes a pack self-describing: {@code scrub} verifies every
 * entry without the catalog, and a lost catalog could be rebuilt from the packs.
 */
public final class PackFormat {

    public static final String KEY_PREFIX = "packs/";
    static final byte[] MAGIC = "KBRPACK1".getBytes(StandardCharsets.US_ASCII);
    static final int FOOTER = 4 + MAGIC.length;
    static final int INDEX_ENTRY = 32 + 8 + 8 + 4;

    private static final Pattern PACK_ID = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private PackFormat() {
    }

    /** A fresh random pack id: 32 lower-case hex digits. */
    static String newPackId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HEX.formatHex(id);
    }

    static void checkPackId(String pack) {
        if (pack == null || !PACK_ID.matcher(pack).matches()) {
            throw new IllegalArgumentException("A pack id is 32 lower-case hex digits, not '" + pack + "'");
        }
    }

    public static String key(String pack) {
        checkPackId(pack);
        return KEY_PREFIX + pack.substring(0, 2) + "/" + pack;
    }

    /** The pack id behind a key {@code packs/ab/ab…}, or empty for any other key. */
    public static Optional<String> packIdFromKey(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX) || key.length() != KEY_PREFIX.length() + 3 + 32) {
            return Optional.empty();
        }
        String id = key.substring(KEY_PREFIX.length() + 3);
        if (!PACK_ID.matcher(id).matches() || !key.substring(KEY_PREFIX.length()).startsWith(id.substring(0, 2) + "/")) {
            return Optional.empty();
        }
        return Optional.of(id);
    }

    /** The index and footer for {@code entries}, appended after the entries themselves. */
    static byte[] trailer(List<PackedBlob> entries) {
        int indexLength = 4 + entries.size() * INDEX_ENTRY;
        ByteBuffer b = ByteBuffer.allocate(indexLength + FOOTER);
        b.putInt(entries.size());
        for (PackedBlob e : entries) {
            b.put(e.id().digest());
            b.putLong(e.plainSize());
            b.putLong(e.offset());
            b.putInt(e.storedLength());
        }
        b.putInt(indexLength);
        b.put(MAGIC);
        return b.array();
    }

    /**
     * Reads the index of a whole pack object.
     *
     * @throws IllegalArgumentException naming what is wrong when the object is not a well-formed pack
     */
    static List<PackedBlob> index(String pack, byte[] object) {
        int indexLength = indexLength(object.length, java.util.Arrays.copyOfRange(object, Math.max(0, object.length - FOOTER), object.length));
        int start = object.length - FOOTER - indexLength;
        return parseIndex(pack, java.util.Arrays.copyOfRange(object, start, start + indexLength), start);
    }

    /** The index length a pack's last {@value #FOOTER} bytes announce, checked against the object size. */
    static int indexLength(long objectSize, byte[] footer) {
        if (objectSize < FOOTER + 4 || footer.length != FOOTER) {
            throw new IllegalArgumentException("too short for a pack (" + objectSize + " bytes)");
        }
        if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(footer, 4, FOOTER), MAGIC)) {
            throw new IllegalArgumentException("no pack footer (the object is truncated or not a pack)");
        }
        int indexLength = ByteBuffer.wrap(footer).getInt();
        if (indexLength < 4 || objectSize - FOOTER - indexLength < 0) {
            throw new IllegalArgumentException("index length " + indexLength + " does not fit the object");
        }
        return indexLength;
    }

    /** Parses an index whose entries must all end before {@code entriesEnd}. */
    static List<PackedBlob> parseIndex(String pack, byte[] index, long entriesEnd) {
        ByteBuffer b = ByteBuffer.wrap(index);
        int count = b.getInt();
        if ((long) count * INDEX_ENTRY + 4 != index.length) {
            throw new IllegalArgumentException("index of " + index.length + " bytes cannot hold " + count + " entries");
        }
        List<PackedBlob> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] sha = new byte[32];
            b.get(sha);
            long plain = b.getLong();
            long offset = b.getLong();
            int length = b.getInt();
            if (offset < 0 || length < 0 || offset + length > entriesEnd) {
                throw new IllegalArgumentException("entry " + i + " reaches beyond the entries area");
            }
            entries.add(new PackedBlob(BlobId.ofDigest(sha), plain, pack, offset, length));
        }
        return entries;
    }
}
