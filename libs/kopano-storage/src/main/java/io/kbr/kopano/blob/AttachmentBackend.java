package io.kbr.kopano.blob;

import io.kbr.kopano.model.BlobRef;
import io.kbr.kopano.write.AttachmentStorage;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Reads and writes the data behind Kopano's single-instance layer (KOPANO-STORAGE.md §7.2) in one of the
 * backends of §7.3–7.5. Obtain one with {@link #of(AttachmentStorage, byte[])}.
 */
public interface AttachmentBackend {

    /**
     * Stores the data of a freshly inserted {@code singleinstances} row.
     *
     * @return the value for {@code singleinstances.filename} (files_v2 only), or null
     */
    String write(Connection c, long instanceId, int tag, byte[] data) throws SQLException, IOException;

    /** Opens the (uncompressed) data of an instance; a missing instance is a {@link MissingBlobException}. */
    InputStream open(Connection c, BlobRef ref) throws SQLException, IOException;

    default byte[] read(Connection c, BlobRef ref) throws SQLException, IOException {
        try (InputStream in = open(c, ref)) {
            return in.readAllBytes();
        }
    }

    /**
     * @param serverGuid {@code settings.server_guid}, used for files_v2 holder names (§7.5)
     */
    static AttachmentBackend of(AttachmentStorage storage, byte[] serverGuid) {
        return switch (storage.kind()) {
            case DATABASE -> new LobBackend();
            case FILES -> new FilesV1Backend(storage.path(), 10, 20, storage.compression());
            case FILES_V2 -> new FilesV2Backend(storage.path(), serverGuid);
        };
    }
}
