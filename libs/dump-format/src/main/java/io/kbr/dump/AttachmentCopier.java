package io.kbr.dump;

import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies the attachment files of the instances a snapshot references into the content-addressed blob store
 * (id = SHA-256 of the file as on disk), each file once: a file the previous dump already copied (same path and
 * size — Kopano never rewrites an attachment file) is not read again, only checked to still be in object
 * storage. A file that is missing on disk, or a database-backend instance without {@code lob} rows, is reported
 * and makes the dump INCOMPLETE.
 */
final class AttachmentCopier {

    private final BlobStore blobs;

    AttachmentCopier(BlobStore blobs) {
        this.blobs = blobs;
    }

    DumpManifest.Attachments copy(SnapshotAttachments snap, Path dir, DumpManifest previous, List<String> problems) {
        SnapshotAttachments.Kind kind = SnapshotAttachments.kind(snap.storage());
        List<DumpManifest.Instance> instances = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        if (kind != SnapshotAttachments.Kind.DATABASE && dir == null) {
            throw new DumpException("attachment_storage is " + snap.storage() + " but no attachment directory is configured");
        }
        Map<String, DumpManifest.AttachmentFile> known = new HashMap<>();
        if (previous != null && previous.attachments() != null) {
            previous.attachments().instances().forEach(i -> i.files().forEach(f -> known.put(f.path(), f)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "kbr-dump-attachments");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<DumpManifest.Instance>> futures = new ArrayList<>();
            for (Map.Entry<Long, String> e : snap.instances().entrySet()) {
                long id = e.getKey();
                String filename = e.getValue();
                switch (kind) {
                    case DATABASE -> {
                        if (!snap.lobInstances().contains(id)) {
                            synchronized (problems) {
                                problems.add("attachment instance " + id + " has no lob rows in the snapshot");
                                missing.add(id);
                            }
                        }
                        instances.add(new DumpManifest.Instance(id, null, List.of()));
                    }
                    case FILES_V1, FILES_V2 -> futures.add(pool.submit(() -> copyInstance(kind, snap, dir, id, filename,
                            known, problems, missing)));
                }
            }
            for (Future<DumpManifest.Instance> f : futures) {
                instances.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("Interrupted while copying attachments", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DumpException("Copying attachments failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        instances.sort(java.util.Comparator.comparingLong(DumpManifest.Instance::instanceId));
        missing.sort(Long::compare);
        return new DumpManifest.Attachments(snap.storage(), snap.serverGuidHex(), blobs.bucket(), instances, missing);
    }

    private DumpManifest.Instance copyInstance(SnapshotAttachments.Kind kind, SnapshotAttachments snap, Path dir, long id,
            String filename, Map<String, DumpManifest.AttachmentFile> known, List<String> problems, List<Long> missing)
            throws IOException {
        List<DumpManifest.AttachmentFile> files = new ArrayList<>();
        if (kind == SnapshotAttachments.Kind.FILES_V1) {
            int[] l = SnapshotAttachments.fanOut(snap.storage());
            String plain = (id % l[0]) + "/" + ((id / l[0]) % l[1]) + "/" + id;
            String rel = Files.exists(dir.resolve(plain + ".gz")) ? plain + ".gz" : plain;
            DumpManifest.AttachmentFile f = upload(dir, rel, known);
            if (f == null) {
                report(problems, missing, id, "attachment file " + plain + "[.gz] of instance " + id + " is missing in " + dir);
            } else {
                files.add(f);
            }
        } else {
            if (filename == null || filename.isEmpty()) {
                report(problems, missing, id, "attachment instance " + id + " has no files_v2 filename");
            } else {
                DumpManifest.AttachmentFile f = upload(dir, filename + "/content", known);
                if (f == null) {
                    report(problems, missing, id, "attachment file " + filename + "/content of instance " + id
                            + " is missing in " + dir);
                } else {
                    files.add(f);
                    if (snap.serverGuidHex() != null) {
                        files.add(new DumpManifest.AttachmentFile(filename + "/holder/s" + snap.serverGuidHex() + "i" + id,
                                null, 0));
                    }
                }
            }
        }
        return new DumpManifest.Instance(id, filename, files);
    }

    private static void report(List<String> problems, List<Long> missing, long id, String message) {
        synchronized (problems) {
            problems.add(message);
            missing.add(id);
        }
    }

    /** The file's copy, uploading it unless the previous dump has it and it is still stored; null when missing on disk. */
    private DumpManifest.AttachmentFile upload(Path dir, String rel, Map<String, DumpManifest.AttachmentFile> known)
            throws IOException {
        Path file = dir.resolve(rel);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        long size = Files.size(file);
        DumpManifest.AttachmentFile before = known.get(rel);
        if (before != null && before.size() == size && before.sha256() != null
                && blobs.exists(BlobId.parse(before.sha256()))) {
            return before;
        }
        try (InputStream in = Files.newInputStream(file)) {
            PutResult r = blobs.put(in, size);
            return new DumpManifest.AttachmentFile(rel, r.id().sha256(), r.plainSize());
        }
    }
}
