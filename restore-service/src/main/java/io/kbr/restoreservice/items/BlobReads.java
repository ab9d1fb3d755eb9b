package io.kbr.restoreservice.items;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.PackedBlob;
import io.kbr.documents.StoredBlobs;
import io.kbr.events.schema.BlobRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Verified reads of several blob references at once, for the restore-service's check of a selection before anything is
 * sent. One result per reference, in order: the plaintext ({@code byte[]}), or the {@link RuntimeException} the verified
 * read threw (missing, corrupt, unreadable) — one bad blob never hides another.
 */
@FunctionalInterface
public interface BlobReads {

    /** How far apart two entries of a pack may lie and still be read with one range request (the bytes between are skipped). */
    int MAX_GAP = 256 * 1024;

    List<Object> readAll(List<BlobRef> refs);

    /** One verified read per reference. */
    static BlobReads oneByOne(Function<BlobRef, byte[]> read) {
        return refs -> {
            List<Object> out = new ArrayList<>(refs.size());
            for (BlobRef ref : refs) {
                try {
                    out.add(read.apply(ref));
                } catch (RuntimeException e) {
                    out.add(e);
                }
            }
            return out;
        };
    }

    /**
     * Entries of packs (item documents) through {@link BlobStore#getAll}: the entries of one pack that lie close together
     * come with one range request, each still decoded and checked against its SHA-256; stand-alone blobs one by one
     * ({@link StoredBlobs#read}).
     */
    static BlobReads of(BlobStore store) {
        return refs -> {
            Object[] out = new Object[refs.size()];
            List<PackedBlob> packed = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < refs.size(); i++) {
                BlobRef ref = refs.get(i);
                if (ref.getPack() == null) {
                    try {
                        out[i] = StoredBlobs.read(store, ref);
                    } catch (RuntimeException e) {
                        out[i] = e;
                    }
                    continue;
                }
                try {
                    packed.add(new PackedBlob(BlobId.parse(ref.getSha256()), ref.getSize(), ref.getPack(), ref.getOffset(),
                            Math.toIntExact(ref.getStoredLength())));
                    at.add(i);
                } catch (RuntimeException e) { // a malformed reference: its own verdict
                    out[i] = e;
                }
            }
            if (!packed.isEmpty()) {
                List<Object> got = store.getAll(packed, MAX_GAP);
                for (int k = 0; k < got.size(); k++) {
                    out[at.get(k)] = got.get(k);
                }
            }
            return java.util.Arrays.asList(out);
        };
    }
}
