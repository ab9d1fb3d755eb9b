package io.kbr.dump;

import io.kbr.blobstore.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The dump as one SQL script for the stock client ({@code mariadb db < dump.sql}): the decompressed chunks in
 * manifest order, each checked against its SHA-256 first. The chunks are already mysqldump-compatible SQL, so
 * this is a concatenation, not a conversion.
 */
public final class DumpExport {
    private DumpExport() {
    }

    public static void writeSql(DumpManifest m, ObjectStore objects, OutputStream out) throws IOException {
        for (DumpManifest.Chunk chunk : m.chunks()) {
            byte[] stored = objects.get(chunk.key());
            String sha = Sha256.hex(stored, 0, stored.length);
            if (!sha.equals(chunk.sha256())) {
                throw new DumpException("chunk " + chunk.key() + " is corrupt: sha256 " + sha + ", manifest says " + chunk.sha256());
            }
            out.write(DumpLoader.decompress(stored, chunk));
        }
        out.flush();
    }
}
