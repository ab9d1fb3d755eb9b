package io.kbr.bench;

import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.backup.FullBackup;
import io.kbr.agent.incremental.IncrementalBackup;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobId;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.StoredObject;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.schema.KopanoSchema;
import io.kbr.kopano.seed.Corpora;
import io.kbr.kopano.seed.NamedMessage;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.ServerStyleChanges;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.localservers.LocalServers;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Storage per change (issue 4): (a) one attachment delivered to N mailboxes is stored once; (b) the bytes an
 * incremental backup writes to object storage for M modified items, against the compressed size of those items'
 * documents (the least any backup that keeps a copy per version must write). kopano-backup rewrites a folder's
 * data file per increment (KC-627); this is the baseline the ratio replaces.
 */
@Command(name = "storage", mixinStandardHelpOptions = true, description = "Object-storage bytes per change and attachment deduplication.")
public final class StorageBench implements Callable<Integer> {
    @Option(names = "--mailboxes", defaultValue = "50")
    int mailboxes;
    @Option(names = "--modified", defaultValue = "500")
    int modified;
    @Option(names = "--attachment-kb", defaultValue = "1024")
    int attachmentKb;

    public static void main(String[] args) {
        FullBackupBench.quietLibraries();
        System.exit(new CommandLine(new StorageBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("kbr-storage-");
        System.out.println("step 1 of 4: starting MariaDB, Kafka and S3 in " + dir);
        try (LocalServers servers = LocalServers.start(dir.resolve("servers"))) {
            MariaDbServer db = servers.mariaDb();
            db.createDatabase("kopano");
            AttachmentStorage storage = AttachmentStorage.filesV2(Files.createDirectories(dir.resolve("attachments")));
            byte[] attachment = new byte[attachmentKb * 1024];
            new Random(7).nextBytes(attachment); // incompressible: the stored size is the real size
            List<NewMessage> templates = new ArrayList<>();
            MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2025-01-10T09:00:00Z")));
            for (NamedMessage m : Corpora.all()) {
                try {
                    templates.add(converter.convert(m.bytes()));
                } catch (Exception e) {
                    // not a mail
                }
            }
            NewMessage withAttachment = withAttachment(templates.get(0), attachment);
            List<Long> items = new ArrayList<>();
            System.out.printf("step 2 of 4: %d mailboxes, each with the same %d KiB attachment and %d other items%n", mailboxes, attachmentKb,
                    Math.max(1, (modified + mailboxes - 1) / mailboxes));
            try (Connection c = DriverManager.getConnection(db.jdbcUrl("kopano"), db.rootUser(), db.rootPassword())) {
                KopanoSchema.create(c, KopanoSchema.randomServerGuid(), AttachmentStorage.Kind.FILES_V2);
                KopanoWriter w = new KopanoWriter(c, storage);
                int per = Math.max(1, (modified + mailboxes - 1) / mailboxes);
                for (int u = 0; u < mailboxes; u++) {
                    StoreLayout layout = w.createStore(w.createUser("user" + u, "User " + u, "user" + u + "@kbr.test"));
                    long inbox = layout.folder(SpecialFolder.INBOX);
                    w.writeMessage(layout, inbox, withAttachment);
                    for (int i = 0; i < per; i++) {
                        items.add(w.writeMessage(layout, inbox, templates.get((u * per + i) % templates.size())).hierarchyId());
                    }
                }
            }
            S3Server s3 = servers.s3();
            try (BlobStore blobs = BlobStore.create(BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                    .withRegion(s3.region()).withBucket("kbr-storage").withCreateBucket(true));
                    KafkaChangePublisher publisher = new KafkaChangePublisher(servers.kafka().bootstrapServers(), "kbr.changes.storage", Map.of())) {
                BackupProgress progress = new BackupProgress();
                Documents documents = new Documents(blobs, progress);
                ChangeEvents events = new ChangeEvents("storage-bench");
                System.out.println("step 3 of 4: full backup");
                var full = new FullBackup(db.dataSource("kopano"), storage, documents, publisher, events, 4, Clock.systemUTC(), progress).run();
                BlobId attachmentId = BlobId.of(attachment);
                long copies = blobs.objects().filter(o -> o.key().equals(attachmentId.key())).count();
                long attachmentStored = blobs.storedSize(attachmentId).orElse(-1L);
                long bucketAfterFull = bucketBytes(blobs);

                System.out.printf("step 4 of 4: modifying %d items (subject edits, as kopano-server writes them), incremental backup%n", modified);
                try (Connection c = DriverManager.getConnection(db.jdbcUrl("kopano"), db.rootUser(), db.rootPassword());
                        Connection reads = DriverManager.getConnection(db.jdbcUrl("kopano"), db.rootUser(), db.rootPassword())) {
                    ServerStyleChanges server = new ServerStyleChanges(c);
                    for (int i = 0; i < modified; i++) {
                        server.setSubject(items.get(i % items.size()), "edited " + i);
                    }
                    reads.setAutoCommit(true);
                    long storedBefore = progress.storedBytesUploaded.get();
                    long uploadsBefore = progress.blobsUploaded.get();
                    IncrementalBackup inc = new IncrementalBackup(reads, storage, documents, publisher, events, progress,
                            new IncrementalBackup.Settings(1000, Duration.ofSeconds(1), Duration.ofDays(1)), Clock.systemUTC(), full.watermark());
                    for (int quiet = 0; quiet < 2; ) {
                        quiet = inc.poll().rows() == 0 ? quiet + 1 : 0;
                    }
                    long entries = progress.storedBytesUploaded.get() - storedBefore; // the documents' compressed (stored) sizes
                    long written = bucketBytes(blobs) - bucketAfterFull;              // what object storage really grew by
                    System.out.println("------------------------------------------------------------------------------------------------");
                    System.out.printf("attachment of %d KiB in %d mailboxes: %d object(s), %,d bytes stored (one copy: %,d bytes) -> %s%n",
                            attachmentKb, mailboxes, copies, attachmentStored * copies, attachmentStored, copies == 1 ? "stored once: MET" : "MISSED");
                    System.out.printf("incremental after %d modified items: %,d bytes written to object storage; compressed size of their new"
                            + " documents %,d bytes; ratio %.3f x (goal <= 1.1 x: %s)%n", modified, written, entries, written / (double) entries,
                            written <= 1.1 * entries ? "MET" : "MISSED");
                    System.out.printf("per modified item: %,d bytes written; %d new blobs for %d modified items (their documents only:"
                            + " attachments are not written again)%n", written / Math.max(1, modified), progress.blobsUploaded.get() - uploadsBefore, modified);
                    System.out.println("baseline: kopano-backup stores a modified item again inside the folder's data file and rewrites"
                            + " large files per increment (KC-627); kbr writes the new version's document only");
                    System.out.println("------------------------------------------------------------------------------------------------");
                }
            }
        }
        return 0;
    }

    private static long bucketBytes(BlobStore blobs) {
        return blobs.objects().mapToLong(StoredObject::size).sum();
    }

    private static NewMessage withAttachment(NewMessage t, byte[] data) {
        List<NewMessage.NewAttachment> atts = new ArrayList<>(t.attachments());
        atts.add(new NewMessage.NewAttachment(List.of(
                Property.of(PropTags.ATTACH_LONG_FILENAME, PropType.UNICODE, "Quartalsbericht.pdf"),
                Property.of(PropTags.ATTACH_METHOD, PropType.LONG, 1)), data, null));
        return new NewMessage(t.props(), t.recipients(), atts, null, false);
    }
}
