package io.kbr.blobstore;

import java.io.InputStream;
import java.util.Random;

/** {@code size} incompressible bytes from a seeded {@link Random}, generated as they are read. */
final class SeededRandomInputStream extends InputStream {

    private final Random random;
    private final byte[] block = new byte[8192];
    private long remaining;
    private int blockPosition = block.length;

    SeededRandomInputStream(long size, long seed) {
        this.random = new Random(seed);
        this.remaining = size;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (remaining == 0) {
            return -1;
        }
        if (blockPosition == block.length) {
            random.nextBytes(block);
            blockPosition = 0;
        }
        int n = (int) Math.min(Math.min(length, block.length - blockPosition), remaining);
        System.arraycopy(block, blockPosition, buffer, offset, n);
        blockPosition += n;
        remaining -= n;
        return n;
    }
}
