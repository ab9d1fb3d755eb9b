package io.kbr.agent.incremental;

import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.ChangePublisher;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.backup.MessageBackup;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.FolderOperation;
import io.kbr.events.schema.ItemChange;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.Folder;
import io.kbr.kopano.model.Message;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Continuous incremental backup from Kopano's change journal (KOPANO-STORAGE.md §5.5). Each {@link #poll()} reads
 * the rows after the last one seen plus the still-open gaps below it (late commits), re-reads the current state of
 * every object they name (the journal only says <em>which</em> objects changed), stores blobs, publishes the events
 * once the blobs are durable, and — only after Kafka acknowledged them — moves the window, whose floor is the
 * checkpoint. Store metadata, which the journal does not record (pitfall 6), is compared every
 * {@code metadataInterval} and published when it changed.
 *
 * <p>Event ids are content-derived plus the journal row's id: re-reading a row after a restart yields the same ids
 * (the catalog ignores them), while a change back to an earlier state (A → B → A) is a new event.
 */
public final class IncrementalBackup {
    private static final Logger LOG = Logger.getLogger(IncrementalBackup.class);

    /** Tuning: rows per poll, how long a gap in the ids may stay open, how often store metadata is compared. */
    public record Settings(int batch, Duration settle, Duration metadataInterval) {
        public static Settings defaults() {
            return new Settings(1000, Duration.ofSeconds(10), Duration.ofSeconds(10));
        }
    }

    /** What one poll did. */
    public record PollResult(int rows, int events, long floor, long maxSeen, long journalMax, int openGaps) {
        public long lag() {
            return Math.max(0, journalMax - maxSeen);
        }
    }

    private final Connection connection;
    private final KopanoReader reader;
    private final JournalReader journal;
    private final Documents documents;
    private final ChangePublisher publisher;
    private final ChangeEvents events;
    private final MessageBackup messages;
    private final BackupProgress progress;
    private final Settings settings;
    private final Clock clock;
    private final JournalWindow window;
    private final Directory directory = new Directory();
    /** Sourcekeys a message left by a move, so their HARD_DELETE rows are not reported as deletions. */
    private final Set<Bytes> movedAway = new LinkedHashSet<>();
    private final Map<Bytes, String> publishedMetadata = new HashMap<>();
    private final List<Bytes> goneFolders = new ArrayList<>();
    private final Map<Bytes, String> metadataToRemember = new HashMap<>();
    private long lastMetadataCheck = Long.MIN_VALUE;
    /** When each store's metadata was last compared (clock millis). */
    private final Map<Bytes, Long> metadataCheckedAt = new HashMap<>();
    private static final long METADATA_BUDGET_NANOS = 200_000_000L;

    public IncrementalBackup(Connection connection, AttachmentStorage storage, Documents documents, ChangePublisher publisher, ChangeEvents events,
            BackupProgress progress, Settings settings, Clock clock, long checkpoint) throws SQLException {
        this.connection = connection;
        this.reader = new KopanoReader(connection, storage);
        this.journal = new JournalReader(connection);
        this.documents = documents;
        this.publisher = publisher;
        this.events = events;
        this.messages = new MessageBackup(documents, events, progress);
        this.progress = progress;
        this.settings = settings;
        this.clock = clock;
        this.window = new JournalWindow(checkpoint, settings.settle(), System::nanoTime);
        directory.load(connection, reader);
    }

    /** The checkpoint: every journal id up to here is backed up and acknowledged. */
    public long floor() {
        return window.floor();
    }

    /** Whether the journal still holds what comes after {@code checkpoint} (it is never purged by Kopano, §5.5 pitfall 7). */
    public static boolean journalCanServe(Connection c, long checkpoint) throws SQLException {
        JournalReader j = new JournalReader(c);
        long max = j.maxId();
        long min = j.minId();
        // A checkpoint beyond the journal's end means another database (a restored one); rows deleted after it mean
        // the journal was truncated: either way the changes since the checkpoint are unknown.
        return checkpoint <= max && (min == 0 || min <= checkpoint + 1);
    }

    public PollResult poll() throws Exception {
        List<JournalRow> rows = new ArrayList<>(journal.ids(window.openGaps(settings.batch())));
        rows.addAll(journal.after(window.maxSeen(), settings.batch()));
        rows.removeIf(r -> window.isProcessed(r.id()));
        rows.sort(java.util.Comparator.comparingLong(JournalRow::id));

        // One look per object: the row with the highest id decides, the state is re-read anyway (pitfall 2).
        Map<String, JournalRow> latest = new LinkedHashMap<>();
        for (JournalRow r : rows) {
            latest.put((r.isFolder() ? "f:" : "m:") + (r.sourceKey() == null ? "?" + r.id() : r.sourceKey().hex()), r);
        }
        List<JournalRow> work = new ArrayList<>(latest.values());
        work.sort(java.util.Comparator.comparingLong(JournalRow::id));
        // Folders first, so a message's folder is known when the message is reported.
        List<Keyed> out = new ArrayList<>();
        for (JournalRow r : work) {
            if (r.isFolder()) {
                folder(r, out);
            }
        }
        // the changed messages, re-read in a few queries per 128 instead of several each
        Map<Long, Message> current = reader.messages(work.stream().filter(r -> r.isMessage() && r.objectId() != null)
                .map(JournalRow::objectId).toList());
        for (JournalRow r : work) {
            if (r.isMessage()) {
                message(r, current, out);
            }
        }
        // Deleted folders are forgotten only now: their messages' HARD_DELETE rows still need the store.
        goneFolders.forEach(directory::forgetFolder);
        goneFolders.clear();
        metadataToRemember.clear();
        metadata(out);
        publish(out);
        publishedMetadata.putAll(metadataToRemember);
        for (JournalRow r : rows) {
            window.processed(r.id());
        }
        long floor = window.advance();
        long max = rows.isEmpty() ? journal.maxId() : Math.max(window.maxSeen(), journal.maxId());
        return new PollResult(rows.size(), out.size(), floor, window.maxSeen(), max, window.openGapCount());
    }

    private record Keyed(String key, ChangeEvent event) {
    }

    private void folder(JournalRow r, List<Keyed> out) throws SQLException {
        long now = clock.millis();
        Optional<Directory.FolderEntry> parent = directory.folder(r.parentSourceKey());
        if (r.objectId() != null) {
            Optional<Directory.FolderEntry> known = directory.folder(r.objectId());
            Store store = known.map(Directory.FolderEntry::store).or(() -> parent.map(Directory.FolderEntry::store)).orElse(null);
            List<Directory.FolderEntry> changed = List.of();
            if (store == null) {
                directory.reloadAllFolders(reader);
                store = directory.folder(r.objectId()).map(Directory.FolderEntry::store).orElse(null);
            } else {
                changed = directory.reloadFolders(reader, store);
            }
            // folders whose state changed without a journal row of their own (subfolders of a soft-deleted folder)
            for (Directory.FolderEntry e : changed) {
                if (e.folder().hierarchyId() != r.objectId()) {
                    Folder f = e.folder();
                    Bytes pk = directory.folder(f.parentId()).map(x -> x.folder().sourceKey()).orElse(null);
                    FolderOperation op = f.softDeleted() ? FolderOperation.SOFT_DELETE : FolderOperation.UPSERT;
                    out.add(new Keyed(ChangeEvents.key(store), events.atJournal(events.folder(store, f, pk, op, r.id(), now), r.id())));
                }
            }
            Optional<Directory.FolderEntry> now2 = directory.folder(r.objectId());
            if (store == null || now2.isEmpty()) {
                LOG.warnf("journal row %d: folder %s is in no store this agent can read; skipped", r.id(), r.sourceKey());
                return;
            }
            Folder f = now2.get().folder();
            Bytes parentKey = directory.folder(f.parentId()).map(e -> e.folder().sourceKey()).orElse(null);
            FolderOperation op = f.softDeleted() ? FolderOperation.SOFT_DELETE : FolderOperation.UPSERT;
            out.add(new Keyed(ChangeEvents.key(store), events.atJournal(events.folder(store, f, parentKey, op, r.id(), now), r.id())));
            progress.folders.incrementAndGet();
        } else {
            Optional<Directory.FolderEntry> gone = directory.folder(r.sourceKey());
            Store store = gone.map(Directory.FolderEntry::store).or(() -> parent.map(Directory.FolderEntry::store)).orElse(null);
            if (store == null) {
                LOG.warnf("journal row %d: deleted folder %s belonged to no known store; skipped", r.id(), r.sourceKey());
                return;
            }
            out.add(new Keyed(ChangeEvents.key(store), events.atJournal(events.folderHardDelete(store, r.sourceKey(), r.parentSourceKey(), r.id(), now), r.id())));
            goneFolders.add(r.sourceKey());
        }
    }

    private void message(JournalRow r, Map<Long, Message> current, List<Keyed> out) throws Exception {
        long now = clock.millis();
        if (r.objectId() != null) {
            Optional<Message> found = Optional.ofNullable(current.get(r.objectId()));
            if (found.isEmpty() || found.get().sourceKey() == null) {
                return; // gone again since the row was read; its own row will report that
            }
            Message m = found.get();
            Optional<Directory.FolderEntry> folder = directory.folder(m.parentId());
            if (folder.isEmpty()) {
                directory.reloadAllFolders(reader);
                folder = directory.folder(m.parentId());
            }
            if (folder.isEmpty() || folder.get().folder().sourceKey() == null) {
                LOG.warnf("journal row %d: message %d is not in a folder of a known store; skipped", r.id(), m.hierarchyId());
                return;
            }
            Store store = folder.get().store();
            Optional<Bytes> before = directory.messageSourceKey(m.hierarchyId());
            ChangeEvent e = messages.backup(store, folder.get().folder().sourceKey(), m, MessageBackup.readBlobs(reader, m), r.id(), now);
            if (before.isPresent() && !before.get().equals(m.sourceKey())) {
                // a move (pitfall 4): same hierarchy id, new sourcekey; the old key's HARD_DELETE row is not a deletion
                ((ItemChange) e.getChange()).setPreviousSourceKey(ByteBuffer.wrap(before.get().toArray()));
                movedAway.add(before.get());
                trimMoved();
            }
            directory.remember(m.hierarchyId(), m.sourceKey());
            out.add(new Keyed(ChangeEvents.key(store), events.atJournal(e, r.id())));
            progress.items.incrementAndGet();
            return;
        }
        // The sourcekey resolves to nothing: hard-deleted, or moved away.
        if (movedAway.remove(r.sourceKey())) {
            return;
        }
        Optional<Long> id = directory.messageId(r.sourceKey());
        if (id.isPresent() && movedNow(id.get(), r.sourceKey())) {
            return; // the NEW row of the move (same transaction) reports it with previousSourceKey
        }
        Optional<Directory.FolderEntry> folder = directory.folder(r.parentSourceKey());
        if (folder.isEmpty()) {
            LOG.warnf("journal row %d: deleted message %s was in a folder of no known store; skipped", r.id(), r.sourceKey());
            return;
        }
        Store store = folder.get().store();
        out.add(new Keyed(ChangeEvents.key(store),
                events.atJournal(events.itemHardDelete(store, r.sourceKey(), r.parentSourceKey(), id.orElse(0L), r.id(), now), r.id())));
        directory.forgetMessage(r.sourceKey());
        progress.items.incrementAndGet();
    }

    /** Whether message {@code id} still exists under another sourcekey (it was moved, not deleted). */
    private boolean movedNow(long id, Bytes oldKey) throws SQLException {
        try (var ps = connection.prepareStatement("SELECT val_binary FROM indexedproperties WHERE hierarchyid = ? AND tag = ?")) {
            ps.setLong(1, id);
            ps.setInt(2, io.kbr.kopano.model.PropTags.SOURCE_KEY);
            try (var rs = ps.executeQuery()) {
                if (rs.next()) {
                    Bytes now = Bytes.of(rs.getBytes(1));
                    return !now.equals(oldKey);
                }
            }
        }
        return false;
    }

    private void trimMoved() {
        while (movedAway.size() > 100_000) {
            movedAway.remove(movedAway.iterator().next());
        }
    }

    /**
     * §5.5 pitfall 6: settings, out-of-office, rules, ACLs and delegates are not journaled; compare them. Each store is
     * compared once per {@code metadataInterval}, the longest-unchecked first, and a poll spends at most
     * {@link #METADATA_BUDGET_NANOS} on it (at least one store): with many stores the work is spread over polls
     * instead of one poll stalling every change behind a sweep of all stores.
     */
    private void metadata(List<Keyed> out) throws SQLException {
        long now = clock.millis();
        long interval = settings.metadataInterval().toMillis();
        if (lastMetadataCheck != Long.MIN_VALUE && now - lastMetadataCheck < Math.min(interval, 1000)) {
            return; // the list of stores is read at most once a second
        }
        lastMetadataCheck = now;
        List<Store> due = new ArrayList<>();
        for (Store s : reader.stores()) {
            Long checked = metadataCheckedAt.get(s.guid());
            if (checked == null || now - checked >= interval) {
                due.add(s);
            }
        }
        due.sort(java.util.Comparator.comparingLong(s -> metadataCheckedAt.getOrDefault(s.guid(), Long.MIN_VALUE)));
        long deadline = System.nanoTime() + METADATA_BUDGET_NANOS;
        for (int i = 0; i < due.size() && (i == 0 || System.nanoTime() < deadline); i++) {
            Store s = due.get(i);
            Map<Long, Bytes> folderKeys = new HashMap<>();
            for (Folder f : reader.folders(s)) {
                if (f.sourceKey() != null) {
                    folderKeys.put(f.hierarchyId(), f.sourceKey());
                }
            }
            BlobRef ref = documents.putMetadata(reader.metadata(s), s.hierarchyId(), folderKeys);
            metadataCheckedAt.put(s.guid(), now);
            String before = publishedMetadata.get(s.guid());
            if (!ref.getSha256().equals(before)) {
                // the store-level event id is content-derived: the catalog ignores an unchanged document
                out.add(new Keyed(ChangeEvents.key(s), events.store(s, ref, window.maxSeen(), now)));
                metadataToRemember.put(s.guid(), ref.getSha256()); // once published
            }
        }
    }

    private void publish(List<Keyed> out) {
        if (out.isEmpty()) {
            return;
        }
        // blobs before events: every blob an event names must be stored (a failed pack fails the poll, which is
        // then retried from the checkpoint with the documents stored again)
        documents.flush();
        List<BlobRef> refs = new ArrayList<>();
        for (Keyed k : out) {
            if (k.event().getChange() instanceof ItemChange i) {
                refs.addAll(i.getBlobs());
            } else if (k.event().getChange() instanceof io.kbr.events.schema.StoreChange sc && sc.getMetadata() != null) {
                refs.add(sc.getMetadata());
            }
        }
        documents.durable(refs).join();
        List<CompletableFuture<Void>> acks = new ArrayList<>(out.size());
        for (Keyed k : out) {
            acks.add(publisher.publish(k.key(), k.event()).thenRun(progress.events::incrementAndGet));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join(); // events before the checkpoint
    }

    int knownMessages() {
        return directory.messages();
    }

}
