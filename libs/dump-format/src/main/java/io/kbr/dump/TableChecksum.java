package io.kbr.dump;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A table's content checksum, independent of row order: the SHA-256 of each row's canonical SQL form (the
 * {@code (v1,v2,…)} tuple {@link RowFormatter} writes, which is also what the dump's INSERT holds) is split into
 * four 64-bit lanes, and each lane is summed over all rows modulo 2^64. The loader recomputes it from the loaded
 * table with the same formatter, so any changed, lost or extra row changes it. Order independence lets the
 * hashing run in the compression workers, in parallel, in whatever order chunks arrive.
 */
public final class TableChecksum {
    private final long[] lanes = new long[4];
    private long rows;
    private final MessageDigest digest;

    public TableChecksum() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds one row, given as its canonical bytes {@code b[off..off+len)}. */
    public void addRow(byte[] b, int off, int len) {
        digest.update(b, off, len);
        byte[] h = digest.digest();
        for (int lane = 0; lane < 4; lane++) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[lane * 8 + i] & 0xFF);
            }
            lanes[lane] += v;
        }
        rows++;
    }

    /** Adds another partial checksum of the same table. */
    public synchronized void merge(TableChecksum other) {
        for (int i = 0; i < 4; i++) {
            lanes[i] += other.lanes[i];
        }
        rows += other.rows;
    }

    public synchronized long rows() {
        return rows;
    }

    public synchronized String hex() {
        StringBuilder s = new StringBuilder(64);
        for (long lane : lanes) {
            s.append(HexFormat.of().toHexDigits(lane));
        }
        return s.toString();
    }
}
