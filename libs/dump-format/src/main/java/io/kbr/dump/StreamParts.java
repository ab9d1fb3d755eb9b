package io.kbr.dump;

import io.kbr.blobstore.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sink of a physical backup's compressed stream: bytes written here go to object storage as consecutive part
 * objects {@code <prefix>stream.<000000>.zst} of {@code partBytes} each (the last one shorter), every part itself a
 * streamed multipart upload, with its size and SHA-256 computed on the way. Nothing is staged on local disk; memory is
 * the blocks in the hand-over queue ({@link #QUEUED_BLOCKS} × {@link #BLOCK}) plus the upload's part buffer. The
 * writer (the thread that compresses the tool's output) never waits for S3 unless the queue is full, and then the
 * tool itself waits on its stdout pipe: the backpressure goes back to mariadb-backup.
 */
final class StreamParts extends OutputStream {
    static final int BLOCK = 4 * 1024 * 1024;
    static final int QUEUED_BLOCKS = 4;
    private static final byte[] END = new byte[0];

    private final ObjectStore objects;
    private final String prefix;
    private final long partBytes;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_BLOCKS);
    private final List<DumpManifest.Chunk> parts = new ArrayList<>();
    private final Thread uploader;
    private byte[] block = new byte[BLOCK];
    private int filled;
    private volatile Throwable failure;
    private boolean closed;

    StreamParts(ObjectStore objects, String prefix, long partBytes) {
        this.objects = objects;
        this.prefix = prefix;
        this.partBytes = Math.max(1, partBytes);
        this.uploader = new Thread(this::upload, "kbr-physical-upload");
        this.uploader.setDaemon(true);
        this.uploader.start();
    }

    static String partKey(String prefix, int seq) {
        return prefix + "stream." + String.format(Locale.ROOT, "%06d", seq) + ".zst";
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, block.length - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == block.length) {
                hand(block);
                block = new byte[BLOCK];
                filled = 0;
            }
        }
    }

    private void hand(byte[] b) throws IOException {
        try {
            while (!queue.offer(b, 200, TimeUnit.MILLISECONDS)) {
                if (failure != null) {
                    throw new IOException("Upload of the backup stream failed: " + failure.getMessage(), failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while handing the stream to the uploader", e);
        }
    }

    /** Flushes the last block, waits for every part to be durable, and returns the parts in stream order. */
    List<DumpManifest.Chunk> finish() throws IOException {
        close();
        return List.copyOf(parts);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0) {
            hand(Arrays.copyOf(block, filled));
        }
        hand(END);
        try {
            uploader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the upload", e);
        }
        if (failure != null) {
            throw new IOException("Upload of the backup stream failed: " + failure.getMessage(), failure);
        }
    }

    /** Stops the uploader without completing the current part (the caller deletes what was stored). */
    void abort() {
        closed = true;
        uploader.interrupt();
    }

    private void upload() {
        ObjectStore.Upload current = null;
        MessageDigest digest = null;
        long inPart = 0;
        try {
            while (true) {
                byte[] b = queue.take();
                if (b == END) {
                    break;
                }
                int off = 0;
                while (off < b.length) {
                    if (current == null) {
                        current = objects.openUpload(partKey(prefix, parts.size()));
                        digest = Sha256.digest();
                        inPart = 0;
                    }
                    int n = (int) Math.min(b.length - off, partBytes - inPart);
                    current.write(b, off, n);
                    digest.update(b, off, n);
                    inPart += n;
                    off += n;
                    if (inPart == partBytes) {
                        current.close();
                        parts.add(part(parts.size(), inPart, digest));
                        current = null;
                    }
                }
            }
            if (current != null) {
                current.close();
                parts.add(part(parts.size(), inPart, digest));
            }
        } catch (Throwable t) {
            failure = t;
            if (current != null) {
                try {
                    current.abort();
                } catch (RuntimeException ignored) {
                    // the failure above is what matters
                }
            }
            queue.clear();
            // drain so a writer blocked in hand() sees the failure
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    byte[] b = queue.poll(500, TimeUnit.MILLISECONDS);
                    if (b == END) {
                        return;
                    }
                    if (b == null && closed) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private DumpManifest.Chunk part(int seq, long size, MessageDigest digest) {
        return new DumpManifest.Chunk(partKey(prefix, seq), DumpManifest.ChunkKind.STREAM_PART, null, 0, 0, size,
                HexFormat.of().formatHex(digest.digest()));
    }
}
