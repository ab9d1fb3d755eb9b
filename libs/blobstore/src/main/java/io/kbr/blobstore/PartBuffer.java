package io.kbr.blobstore;

/**
 * Up to one part of stored bytes. Starts small and doubles up to the part size, so the many small
 * blobs (a typical mail is tens of kilobytes) never cost a full part of memory each.
 */
final class PartBuffer {

    private final BufferMeter meter;
    private final int limit;
    private byte[] data;
    private int size;

    PartBuffer(BufferMeter meter, int initialCapacity, int limit) {
        this.meter = meter;
        this.limit = limit;
        this.data = meter.allocate(Math.max(1, Math.min(initialCapacity, limit)));
    }

    /** Copies as much of {@code bytes[offset..offset+length)} as fits below the limit; returns how much. */
    int append(byte[] bytes, int offset, int length) {
        int count = Math.min(length, limit - size);
        if (size + count > data.length) {
            grow(size + count);
        }
        System.arraycopy(bytes, offset, data, size, count);
        size += count;
        return count;
    }

    private void grow(int needed) {
        long doubled = Math.max(2L * data.length, needed);
        byte[] larger = meter.allocate((int) Math.min(limit, doubled));
        System.arraycopy(data, 0, larger, 0, size);
        meter.release(data);
        data = larger;
    }

    boolean isFull() {
        return size == limit;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The backing array; valid bytes are {@code [0, size())}. */
    byte[] data() {
        return data;
    }

    void clear() {
        size = 0;
    }

    void release() {
        meter.release(data);
        data = null;
        size = 0;
    }
}
