package io.kbr.blobstore;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes of the buffers a {@link BlobStore} holds for data in flight (part buffers, read
 * chunks) and remembers the most it ever held at once, so tests can prove the memory bound.
 */
final class BufferMeter {

    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    byte[] allocate(int size) {
        byte[] buffer = new byte[size];
        long now = live.addAndGet(size);
        peak.accumulateAndGet(now, Math::max);
        return buffer;
    }

    void release(byte[] buffer) {
        if (buffer != null) {
            live.addAndGet(-buffer.length);
        }
    }

    /** Bytes held right now. */
    long live() {
        return live.get();
    }

    /** The most bytes held at once since creation or the last {@link #resetPeak()}. */
    long peak() {
        return peak.get();
    }

    void resetPeak() {
        peak.set(live.get());
    }
}
