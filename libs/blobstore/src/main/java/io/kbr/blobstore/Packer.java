package io.kbr.blobstore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Collects small blobs into pack objects ({@link PackFormat}): {@link #append} returns the blob's final
 * location at once, and the pack goes to S3 in one PUT when it reaches the target size, when it is older
 * than the maximum delay, or on {@link #flush()}. A caller that must not refer to a blob before it is
 * durable (an agent publishing change events) waits for {@link #whenDurable()}.
 *
 * <p>Packs are not deduplicated against each other: an appended blob is stored again even when an earlier
 * pack holds the same content. Use it for content that is unique anyway (item documents); keep shared
 * content such as attachments in stand-alone blobs ({@link BlobStore#put}).
 *
 * <p>Memory is bounded: at most {@value #MAX_PENDING_PACKS} sealed packs wait for their upload; a further
 * {@code append} that seals a pack blocks until one finished. Thread-safe.
 */
public final class Packer implements AutoCloseable {

    static final int MAX_PENDING_PACKS = 3;

    private final BlobStore store;
    private final int targetBytes;
    private final long maxDelayNanos;
    private final Semaphore uploadSlots = new Semaphore(MAX_PENDING_PACKS);
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private Open open;
    private boolean closed;

    Packer(BlobStore store, int targetBytes, Duration maxDelay) {
        if (targetBytes < 1024) {
            throw new IllegalArgumentException("pack target size must be at least 1 KiB, not " + targetBytes);
        }
        this.store = store;
        this.targetBytes = targetBytes;
        this.maxDelayNanos = maxDelay.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kbr-packer-" + store.bucket());
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(1, maxDelay.toMillis() / 2);
        timer.scheduleWithFixedDelay(this::sealIfOld, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Adds {@code plain} to the open pack and returns where it will be; durable only after {@link #whenDurable()}. */
    public PackedBlob append(byte[] plain) {
        return append(BlobId.of(plain), plain);
    }

    /**
     * Like {@link #append(byte[])} for a caller that already hashed {@code plain} (hashing is a large part of
     * a backup's CPU time). A wrong {@code id} is caught by every later read, which verifies the content.
     */
    public PackedBlob append(BlobId id, byte[] plain) {
        byte[] entry = store.encodeEntry(plain);
        Open sealed = null;
        PackedBlob ref;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("packer for bucket " + store.bucket() + " is closed");
            }
            if (open == null) {
                open = new Open(PackFormat.newPackId(), System.nanoTime());
            }
            ref = new PackedBlob(id, plain.length, open.id, open.size, entry.length);
            open.add(entry, ref);
            if (open.size >= targetBytes) {
                sealed = sealLocked();
            }
        }
        if (sealed != null) {
            upload(sealed);
        }
        return ref;
    }

    /**
     * Completes when every blob appended before this call is stored, without forcing the open pack out
     * early; fails when the upload of a pack holding one of them failed.
     */
    public CompletableFuture<Void> whenDurable() {
        List<CompletableFuture<Void>> waitFor;
        synchronized (this) {
            waitFor = new ArrayList<>(pending);
            if (open != null) {
                waitFor.add(open.stored);
            }
        }
        return CompletableFuture.allOf(waitFor.toArray(CompletableFuture[]::new));
    }

    /** Seals the open pack now and completes when every blob appended so far is stored. */
    public CompletableFuture<Void> flush() {
        Open sealed;
        synchronized (this) {
            sealed = sealLocked();
        }
        if (sealed != null) {
            upload(sealed);
        }
        return whenDurable();
    }

    /** Flushes, waits for the uploads, and stops the timer. */
    @Override
    public void close() {
        try {
            flush().join();
        } finally {
            synchronized (this) {
                closed = true;
            }
            timer.shutdownNow();
        }
    }

    private void sealIfOld() {
        Open sealed = null;
        synchronized (this) {
            if (open != null && System.nanoTime() - open.created >= maxDelayNanos) {
                sealed = sealLocked();
            }
        }
        if (sealed != null) {
            upload(sealed);
        }
    }

    private Open sealLocked() {
        Open sealed = open;
        if (sealed != null) {
            pending.add(sealed.stored);
            open = null;
        }
        return sealed;
    }

    private void upload(Open pack) {
        uploadSlots.acquireUninterruptibly();
        try {
            store.uploadExecutor().execute(() -> {
                try {
                    byte[] trailer = PackFormat.trailer(pack.entries);
                    byte[] object = Arrays.copyOf(pack.buffer, pack.size + trailer.length);
                    System.arraycopy(trailer, 0, object, pack.size, trailer.length);
                    store.putPack(pack.id, object, pack.plainBytes, pack.entries.size());
                    finish(pack, null);
                } catch (Throwable e) {
                    finish(pack, e);
                }
            });
        } catch (RuntimeException e) {
            uploadSlots.release();
            pending.remove(pack.stored);
            pack.stored.completeExceptionally(e);
            throw e;
        }
    }

    /** Forgets the pack before completing it, so a later {@link #whenDurable()} never waits on a finished one. */
    private void finish(Open pack, Throwable failure) {
        pending.remove(pack.stored);
        uploadSlots.release();
        if (failure == null) {
            pack.stored.complete(null);
        } else {
            pack.stored.completeExceptionally(failure);
        }
    }

    /** The pack being filled. */
    private static final class Open {
        final String id;
        final long created;
        final List<PackedBlob> entries = new ArrayList<>();
        final CompletableFuture<Void> stored = new CompletableFuture<>();
        byte[] buffer = new byte[64 * 1024];
        int size;
        long plainBytes;

        Open(String id, long created) {
            this.id = id;
            this.created = created;
        }

        void add(byte[] entry, PackedBlob ref) {
            if (size + entry.length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + entry.length));
            }
            System.arraycopy(entry, 0, buffer, size, entry.length);
            size += entry.length;
            plainBytes += ref.plainSize();
            entries.add(ref);
        }
    }

    @Override
    public String toString() {
        return "Packer[" + store.bucket() + ", target=" + targetBytes + " bytes, maxDelay=" + Duration.ofNanos(maxDelayNanos) + ", "
                + Map.of("pending", pending.size()) + "]";
    }
}
