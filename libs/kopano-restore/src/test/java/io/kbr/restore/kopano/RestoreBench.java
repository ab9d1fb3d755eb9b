package io.kbr.restore.kopano;

import io.kbr.documents.PropertyValues;
import io.kbr.events.schema.AttachmentDocument;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RecipientDocument;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import io.kbr.localservers.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Restore throughput and single-item latency against a real MariaDB, with a same-run baseline: kbr's own
 * {@link KopanoWriter} (the seeder's writer) writing the very same items. Run with {@code libs/kopano-restore/bench.sh}.
 * Arguments: {@code [items (10000)] [database|files|files_v2 (files_v2)] [latency samples (500)] [connections (4)]}.
 */
public final class RestoreBench {
    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        AttachmentStorage.Kind kind = args.length > 1 ? AttachmentStorage.Kind.fromSetting(args[1]) : AttachmentStorage.Kind.FILES_V2;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("kbr-restore-bench");
        System.out.printf(Locale.ROOT, "restore benchmark: %,d items, attachment_storage = %s, work directory %s%n", items, kind.settingValue(), dir);
        try (MariaDbServer db = MariaDbServer.start(dir.resolve("mariadb"))) {
            // Source: one seeded store, backed up into documents + a blob map as the agent does it.
            Fixture src = fixture(db, "bench_src", kind, dir);
            src.seed(1);
            Store srcStore = src.store("user1");
            List<Fixture.Item> backup = src.backUp(srcStore);
            System.out.printf(Locale.ROOT, "backed up %d items of the corpora (%d blobs, %.1f MB)%n", backup.size(), src.blobs.size(),
                    src.blobs.values().stream().mapToLong(b -> b.length).sum() / 1e6);

            // Baseline: KopanoWriter writes the same items into a fresh store.
            Fixture base = fixture(db, "bench_base", kind, dir);
            KopanoWriter writer = new KopanoWriter(base.c, base.storage);
            StoreLayout baseStore = writer.createStore(writer.createUser("user1", "User One", "user1@example.org"));
            Map<List<String>, Long> baseFolders = new HashMap<>();
            KopanoRestorer folderMaker = new KopanoRestorer(base.c, base.storage);
            long t0 = System.nanoTime();
            for (int i = 0; i < items; i++) {
                Fixture.Item it = backup.get(i % backup.size());
                long folder = baseFolders.computeIfAbsent(it.path(), p -> folder(folderMaker, baseStore.store(), p));
                writer.writeMessage(baseStore, folder, newMessage(it.doc(), src));
            }
            double baseSeconds = (System.nanoTime() - t0) / 1e9;
            double baseRate = items / baseSeconds;
            System.out.printf(Locale.ROOT, "baseline  KopanoWriter.writeMessage: %,d items in %.1f s = %,.0f items/s%n", items, baseSeconds, baseRate);

            // Restore: the same items as documents, KEEP_BOTH so every one is written; one connection, then several.
            double rate = 0;
            for (int t : threads == 1 ? new int[] {1} : new int[] {1, threads}) {
                Fixture dst = fixture(db, "bench_dst_" + t, kind, dir);
                KopanoWriter w = new KopanoWriter(dst.c, dst.storage);
                w.createStore(w.createUser("user1", "User One", "user1@example.org"));
                Store store = new KopanoRestorer(dst.c, dst.storage).store("user1");
                java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
                List<Thread> workers = new ArrayList<>();
                long s0 = System.nanoTime();
                for (int k = 0; k < t; k++) {
                    Connection c = DriverManager.getConnection(db.jdbcUrl("bench_dst_" + t), db.rootUser(), db.rootPassword());
                    KopanoRestorer r = new KopanoRestorer(c, dst.storage);
                    Map<List<String>, Long> folders = new HashMap<>();
                    Thread worker = new Thread(() -> {
                        for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) {
                            Fixture.Item it = backup.get(i % backup.size());
                            long folder;
                            synchronized (RestoreBench.class) { // folder creation once, not raced by the workers
                                folder = folders.computeIfAbsent(it.path(), p -> folder(r, store, p));
                            }
                            ItemOutcome o = r.restore(store, folder, it.doc(), src.backupBlobs(), ConflictMode.KEEP_BOTH);
                            if (o.failed()) {
                                failed.incrementAndGet();
                                System.out.println("  failed: " + o.reason());
                            }
                        }
                    });
                    worker.start();
                    workers.add(worker);
                }
                for (Thread th : workers) {
                    th.join();
                }
                double seconds = (System.nanoTime() - s0) / 1e9;
                double perSecond = items / seconds;
                System.out.printf(Locale.ROOT, "restore   KopanoRestorer.restore, %d connection%s: %,d items in %.1f s = %,.0f items/s (%d failed)%n", t,
                        t == 1 ? " " : "s", items, seconds, perSecond, failed.get());
                System.out.printf(Locale.ROOT, "ratio restore (%d) / baseline throughput: %.2f%n", t, perSecond / baseRate);
                rate = Math.max(rate, perSecond);
                long inStore = dst.count("SELECT COUNT(*) FROM properties WHERE tag = ? AND type = 258", KopanoRestorer.EC_BACKUP_SOURCE_KEY);
                if (inStore != items) {
                    throw new IllegalStateException("expected " + items + " restored items, found " + inStore);
                }
            }

            // Single-item latency: one restore() call = one committed transaction (SKIP finds nothing: fresh store).
            Fixture one = fixture(db, "bench_one", kind, dir);
            KopanoWriter w1 = new KopanoWriter(one.c, one.storage);
            w1.createStore(w1.createUser("user1", "User One", "user1@example.org"));
            KopanoRestorer r1 = new KopanoRestorer(one.c, one.storage);
            Store s1 = r1.store("user1");
            long inbox = folder(r1, s1, List.of("IPM_SUBTREE", "Inbox"));
            long[] nanos = new long[Math.min(samples, backup.size())];
            for (int i = 0; i < nanos.length; i++) {
                long s = System.nanoTime();
                r1.restore(s1, inbox, backup.get(i).doc(), src.backupBlobs(), ConflictMode.SKIP);
                nanos[i] = System.nanoTime() - s;
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "single-item restore latency over %d items: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", nanos.length,
                    nanos[nanos.length / 2] / 1e6, nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1e6,
                    nanos[nanos.length - 1] / 1e6);
            System.out.printf(Locale.ROOT, "goal >= 1,000 items/s (issue 5, bulk, best of the runs): %s (%,.0f items/s)%n", rate >= 1000 ? "MET" : "MISSED",
                    rate);
        }
    }

    private static Fixture fixture(MariaDbServer db, String name, AttachmentStorage.Kind kind, Path dir) throws Exception {
        db.createDatabase(name);
        Path att = Files.createDirectories(dir.resolve(name));
        AttachmentStorage storage = switch (kind) {
            case DATABASE -> AttachmentStorage.database();
            case FILES -> AttachmentStorage.files(att, 6);
            case FILES_V2 -> AttachmentStorage.filesV2(att);
        };
        Connection c = DriverManager.getConnection(db.jdbcUrl(name), db.rootUser(), db.rootPassword());
        KopanoSchema.create(c, KopanoSchema.randomServerGuid(), kind);
        return Fixture.of(name, c, storage, att);
    }

    private static long folder(KopanoRestorer r, Store store, List<String> path) {
        try {
            return r.ensureFolder(store, null, new FolderSpec(path, null, null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The document as a MAPI client would hand it to the server (what the seeder gives KopanoWriter). */
    private static NewMessage newMessage(ItemDocument d, Fixture src) {
        List<NewMessage.NewRecipient> recipients = new ArrayList<>();
        for (RecipientDocument r : d.getRecipients()) {
            recipients.add(new NewMessage.NewRecipient(r.getObjectType(), PropertyValues.fromAvro(r.getProps())));
        }
        List<NewMessage.NewAttachment> attachments = new ArrayList<>();
        for (AttachmentDocument a : d.getAttachments()) {
            attachments.add(new NewMessage.NewAttachment(PropertyValues.fromAvro(a.getProps()),
                    a.getData() == null ? null : src.blobs.get(a.getData().getSha256()), a.getEmbedded() == null ? null : newMessage(a.getEmbedded(), src)));
        }
        byte[] mime = d.getRfc822Inline() != null ? PropertyValues.bytes(d.getRfc822Inline())
                : d.getRfc822() != null ? src.blobs.get(d.getRfc822().getSha256()) : null;
        return new NewMessage(PropertyValues.fromAvro(d.getProps()), recipients, attachments, mime, (d.getFlags() & 0x40) != 0);
    }

    private RestoreBench() {
    }
}
