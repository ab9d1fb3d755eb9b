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
    /** Packs not yet stored (open or uploading) and recently failed ones, by id: what {@link #durable} answers from. */
    private final Map<String, CompletableFuture<Void>> unfinished = new ConcurrentHashMap<>();
    private final java.util.Deque<String> failed = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.List<java.util.function.Consumer<String>> failureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
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
                unfinished.put(open.id, open.stored);
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

    /**
     * Completes when the pack holding a blob is stored; fails when its upload failed. This is the precise
     * answer for a caller about to refer to particular blobs (e.g. in a change event): {@link #whenDurable()}
     * cannot report a pack that already failed before it was called.
     */
    public CompletableFuture<Void> durable(String packId) {
        CompletableFuture<Void> f = unfinished.get(packId);
        return f == null ? CompletableFuture.completedFuture(null) : f;
    }

    /** Called with the id of every pack whose upload failed (e.g. to forget cached references into it). */
    public void onFailure(java.util.function.Consumer<String> listener) {
        failureListeners.add(listener);
    }

    /**
     * Seals the open pack now and completes when it and every pack still uploading are stored. Use
     * {@link #durable(String)} for the packs of particular blobs.
     */
    public CompletableFuture<Void> flush() {
        Open sealed;
        CompletableFuture<Void> all;
        synchronized (this) {
            sealed = sealLocked();
            all = whenDurable();
        }
        if (sealed != null) {
            upload(sealed);
        }
        return all;
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
            finish(pack, e);
            throw e;
        }
    }

    /**
     * Forgets the pack before completing it, so a later {@link #whenDurable()} never waits on a finished one. A
     * failed pack stays known to {@link #durable} (the last {@value #FAILED_KEPT}), so a caller asking about
     * one of its blobs later still learns that the blob is not stored.
     */
    private void finish(Open pack, Throwable failure) {
        pending.remove(pack.stored);
        uploadSlots.release();
        if (failure == null) {
            unfinished.remove(pack.id);
            pack.stored.complete(null);
        } else {
            failed.add(pack.id);
            while (failed.size() > FAILED_KEPT) {
                String old = failed.poll();
                if (old != null) {
                    unfinished.remove(old);
                }
            }
            // listeners first (e.g. a cache forgets references into this pack), so that whoever wakes up from the
            // failed future below can no longer be handed such a reference
            for (var l : failureListeners) {
                try {
                    l.accept(pack.id);
                } catch (RuntimeException ignored) {
                    // a listener's problem must not hide the failure
                }
            }
            pack.stored.completeExceptionally(failure);
        }
    }

    static final int FAILED_KEPT = 10_000;

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
