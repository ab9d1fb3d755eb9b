package io.kbr.kopano.seed;

import io.kbr.kopano.mime.MimeConversionException;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.model.SpecialFolder;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.kopano.write.KopanoWriter;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import io.kbr.kopano.write.StoreLayout;
import io.kbr.kopano.write.UserRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One store filled with N items made from the MIME corpora: each corpus message is converted once with
 * {@link MimeToMapi}, then written round-robin with {@link KopanoWriter} into a realistic spread of folders.
 *
 * <p>Every item is unique, so content-addressed dedup in the backup cannot flatter the numbers: its subject gets
 * the item number, and its raw RFC 822 text (PR_EC_IMAP_EMAIL, a blob of its own) gets a leading
 * {@code X-Kbr-Bench-Item} header. Attachment data repeats every corpus-size items, as forwarded and re-sent files
 * do in real mailboxes, unless {@code uniqueAttachments} appends the item number to each attachment too.
 */
public final class BulkMailbox {
    /** Where the items go: half in the Inbox, the rest in Sent Items and user folders. */
    private static final String[] FOLDER_CYCLE = {
        "Inbox", "Inbox", "Inbox", "Inbox", "Inbox", "Sent Items", "Sent Items", "Archive/2023", "Archive/2024", "Projects",
    };
    private static final int MAX_ATTEMPTS = 10;

    /** What seeding produced. */
    public record Seeded(StoreLayout store, int items, int templates, int skippedTemplates, long messageBytes, long attachments, int writers,
            long retries, long nanos) {
        public double itemsPerSecond() {
            return items / (nanos / 1e9);
        }

        public double megabytesPerSecond() {
            return messageBytes / 1e6 / (nanos / 1e9);
        }
    }

    /** Opens a new connection to the Kopano database. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    private final Connections connections;
    private final AttachmentStorage storage;
    private final boolean uniqueAttachments;
    private final int writers;
    /** User folders created so far, by parent id and name. */
    private final Map<String, Long> created = new HashMap<>();

    /**
     * @param writers parallel writers, each with its own connection: seeding is bound by round trips to MariaDB,
     *                not by CPU, so a few writers fill the store several times faster than one
     */
    public BulkMailbox(Connections connections, AttachmentStorage storage, boolean uniqueAttachments, int writers) {
        this.connections = connections;
        this.storage = storage;
        this.uniqueAttachments = uniqueAttachments;
        this.writers = Math.max(1, writers);
    }

    /**
     * Converts the corpus once, creates user {@code bench} with its store and writes {@code items} items: the first
     * corpus cycle with one writer (it creates the {@code names} rows), the rest with all writers in parallel.
     *
     * @param progress receives the number of items written so far, every 1000 items
     */
    public Seeded seed(List<NamedMessage> corpus, int items, LongConsumer progress) throws Exception {
        MimeToMapi converter = new MimeToMapi(MimeToMapi.Options.defaults().withDefaultDeliveryTime(Instant.parse("2024-01-15T09:00:00Z")));
        List<NewMessage> templates = new ArrayList<>();
        int skipped = 0;
        for (NamedMessage m : corpus) {
            try {
                templates.add(converter.convert(m.bytes()));
            } catch (MimeConversionException | RuntimeException e) {
                skipped++; // a corpus message that is not a message at all; the others are enough
            }
        }
        if (templates.isEmpty()) {
            throw new IllegalStateException("no corpus message could be converted");
        }

        long started = System.nanoTime();
        Counters counters = new Counters(progress);
        AtomicInteger next = new AtomicInteger();
        StoreLayout store;
        long[] folders = new long[FOLDER_CYCLE.length];
        try (Connection c = connections.open()) {
            KopanoWriter writer = new KopanoWriter(c, storage);
            UserRef user = writer.createUser("bench", "Bench Mark", "bench@kbr.test");
            store = writer.createStore(user);
            for (int i = 0; i < FOLDER_CYCLE.length; i++) {
                folders[i] = folder(writer, store, FOLDER_CYCLE[i]);
            }
            write(writer, store, folders, templates, next, Math.min(items, templates.size()), counters);
        }
        if (next.get() < items) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<Void>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    results.add(pool.submit(() -> {
                        try (Connection c = connections.open()) {
                            write(new KopanoWriter(c, storage), store, folders, templates, next, items, counters);
                        }
                        return null;
                    }));
                }
                for (Future<Void> f : results) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        next.set(Integer.MAX_VALUE); // stops the other writers
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return new Seeded(store, items, templates.size(), skipped, counters.bytes.get(), counters.attachments.get(), writers,
                counters.retries.get(), System.nanoTime() - started);
    }

    /** What all writers have written so far. */
    private static final class Counters {
        final AtomicLong done = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong attachments = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final LongConsumer progress;

        Counters(LongConsumer progress) {
            this.progress = progress;
        }

        void written(Message m) {
            bytes.addAndGet(Integer.toUnsignedLong(PropertyList.integer(m.props(), PropTags.MESSAGE_SIZE).orElse(0)));
            attachments.addAndGet(m.attachments().size());
            long n = done.incrementAndGet();
            if (n % 1000 == 0) {
                progress.accept(n);
            }
        }
    }

    /** Writes items {@code next.getAndIncrement()} below {@code limit}; retries transactions MariaDB rolled back (deadlocks). */
    private void write(KopanoWriter writer, StoreLayout store, long[] folders, List<NewMessage> templates, AtomicInteger next, int limit,
            Counters counters) throws SQLException {
        for (int i = next.getAndIncrement(); i < limit; i = next.getAndIncrement()) {
            NewMessage m = unique(templates.get(i % templates.size()), i);
            Message written = null;
            for (int attempt = 1; written == null; attempt++) {
                try {
                    written = writer.writeMessage(store, folders[i % folders.length], m);
                } catch (SQLTransactionRollbackException e) {
                    if (attempt == MAX_ATTEMPTS) {
                        throw e;
                    }
                    counters.retries.incrementAndGet(); // the writer rolled back and forgot its reservations: try again
                }
            }
            counters.written(written);
        }
        next.accumulateAndGet(limit, Math::min); // leave the counter at the limit for the next phase
    }

    private long folder(KopanoWriter writer, StoreLayout store, String path) throws SQLException {
        return switch (path) {
            case "Inbox" -> store.folder(SpecialFolder.INBOX);
            case "Sent Items" -> store.folder(SpecialFolder.SENT_ITEMS);
            default -> {
                long parent = store.folder(SpecialFolder.IPM_SUBTREE);
                for (String part : path.split("/")) {
                    String key = parent + "/" + part;
                    Long id = created.get(key);
                    if (id == null) {
                        id = writer.createFolder(store, parent, part, "IPF.Note");
                        created.put(key, id);
                    }
                    parent = id;
                }
                yield parent;
            }
        };
    }

    /** The template with the item number in its subject and raw text (and attachments, when asked). */
    public NewMessage unique(NewMessage t, int item) {
        String tag = " [bench " + item + "]";
        List<Property> props = new ArrayList<>(t.props().size() + 1);
        boolean subject = false;
        for (Property p : t.props()) {
            if (!p.isNamed() && (p.id() == PropTags.SUBJECT || p.id() == PropTags.NORMALIZED_SUBJECT) && p.value() instanceof String s) {
                props.add(Property.of(p.id(), p.type(), s + tag));
                subject |= p.id() == PropTags.SUBJECT;
            } else {
                props.add(p);
            }
        }
        if (!subject) {
            props.add(Property.of(PropTags.SUBJECT, PropType.STRING8, tag.strip()));
        }
        byte[] rfc822 = t.rfc822();
        if (rfc822 != null) {
            byte[] header = ("X-Kbr-Bench-Item: " + item + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[header.length + rfc822.length];
            System.arraycopy(header, 0, out, 0, header.length);
            System.arraycopy(rfc822, 0, out, header.length, rfc822.length);
            rfc822 = out;
        }
        List<NewAttachment> attachments = t.attachments();
        if (uniqueAttachments) {
            attachments = new ArrayList<>(t.attachments().size());
            for (NewAttachment a : t.attachments()) {
                attachments.add(a.data() == null ? a : new NewAttachment(a.props(), withSuffix(a.data(), item), null));
            }
        }
        return new NewMessage(props, t.recipients(), attachments, rfc822, t.associated());
    }

    private static byte[] withSuffix(byte[] data, int item) {
        return ByteBuffer.allocate(data.length + Integer.BYTES).put(data).putInt(item).array();
    }
}
