package io.kbr.agent.restore;

import io.kbr.events.AvroCodec;
import io.kbr.events.schema.BlobRef;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.RestoreCommand;
import io.kbr.events.schema.RestoreCommandItem;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestoreItemOutcome;
import io.kbr.events.schema.RestorePath;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.restore.kopano.ConflictMode;
import io.kbr.restore.kopano.FolderSpec;
import io.kbr.restore.kopano.ItemOutcome;
import io.kbr.restore.kopano.KopanoRestorer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Applies one {@link RestoreCommand} to the Kopano database with {@code libs/kopano-restore}: one transaction per
 * item (the restorer's), the command's conflict mode and restore root, the softdelete path as an in-place undelete.
 * Returns one {@code ITEM} event per item with a deterministic id ({@code <commandId>/<sourceKey>}), so that a
 * redelivered outcome is counted once by the catalog. Recognising an already-applied command is the caller's job
 * (see {@link AppliedCommands}).
 */
public final class RestoreCommandApplier {
    private static final AvroCodec<ItemDocument> DOCUMENTS = AvroCodec.of(ItemDocument.class);

    private final Clock clock;

    public RestoreCommandApplier(Clock clock) {
        this.clock = clock;
    }

    /** @param blobs a verified read of a backup blob (BlobStore/StoredBlobs); throws for a corrupt or missing one */
    public List<RestoreEvent> apply(RestoreCommand cmd, Connection c, AttachmentStorage storage, Function<BlobRef, byte[]> blobs) {
        List<RestoreEvent> out = new ArrayList<>();
        KopanoRestorer restorer;
        Store store;
        try {
            restorer = new KopanoRestorer(c, storage);
            store = storeByGuid(c, storage, cmd.getTargetStoreGuid());
        } catch (SQLException | RuntimeException e) {
            for (RestoreCommandItem item : cmd.getItems()) {
                out.add(event(cmd, item.getSourceKey(), RestoreItemOutcome.FAILED, "target store unavailable: " + e.getMessage()));
            }
            return out;
        }
        ConflictMode mode = ConflictMode.valueOf(cmd.getConflictMode());
        List<String> root = cmd.getRestoreRoot() == null ? List.of() : Arrays.asList(cmd.getRestoreRoot().split("/"));
        for (RestoreCommandItem item : cmd.getItems()) {
            ItemOutcome outcome;
            try {
                if (item.getPath() == RestorePath.SOFTDELETE) {
                    Long id = messageBySourceKey(c, Bytes.fromHex(item.getSourceKey()));
                    outcome = id == null ? new ItemOutcome(ItemOutcome.Status.FAILED, null, null, null, "no message with sourcekey " + item.getSourceKey() + " in the target store")
                            : restorer.undeleteInPlace(store, id);
                } else {
                    if (item.getDocument() == null) {
                        throw new IllegalArgumentException("a BRICK_LEVEL item without a document");
                    }
                    ItemDocument doc = DOCUMENTS.decode(blobs.apply(item.getDocument()));
                    List<String> path = item.getFolderPath() == null ? List.of("IPM_SUBTREE") : Arrays.asList(item.getFolderPath().split("/"));
                    long folder = restorer.ensureFolder(store, root, FolderSpec.of(path.toArray(String[]::new)));
                    outcome = restorer.restore(store, folder, doc, blobs, mode);
                }
            } catch (Exception e) {
                outcome = new ItemOutcome(ItemOutcome.Status.FAILED, null, null, null, "not restored, nothing written: " + e.getMessage());
            }
            out.add(event(cmd, item.getSourceKey(), map(outcome.status()), outcome.reason()));
        }
        return out;
    }

    private static RestoreItemOutcome map(ItemOutcome.Status s) {
        return switch (s) {
            case RESTORED, OVERWRITTEN -> RestoreItemOutcome.RESTORED;
            case UNDELETED -> RestoreItemOutcome.UNDELETED;
            case SKIPPED_DUPLICATE -> RestoreItemOutcome.SKIPPED_DUPLICATE;
            case FAILED -> RestoreItemOutcome.FAILED;
        };
    }

    private RestoreEvent event(RestoreCommand cmd, String sourceKey, RestoreItemOutcome outcome, String reason) {
        return RestoreEvent.newBuilder().setEventId(cmd.getCommandId() + "/" + sourceKey).setJobId(cmd.getJobId())
                .setKind(RestoreEventKind.ITEM).setSourceKey(sourceKey).setOutcome(outcome).setReason(reason)
                .setAtMillis(clock.millis()).build();
    }

    static Store storeByGuid(Connection c, AttachmentStorage storage, String guidHex) throws SQLException {
        Bytes guid = Bytes.fromHex(guidHex);
        for (Store s : new KopanoReader(c, storage).stores()) {
            if (guid.equals(s.guid())) {
                return s;
            }
        }
        throw new SQLException("no store " + guidHex + " in this Kopano database");
    }

    static Long messageBySourceKey(Connection c, Bytes sourceKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hierarchyid FROM indexedproperties WHERE tag = ? AND val_binary = ?")) {
            ps.setInt(1, PropTags.SOURCE_KEY);
            ps.setBytes(2, sourceKey.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
