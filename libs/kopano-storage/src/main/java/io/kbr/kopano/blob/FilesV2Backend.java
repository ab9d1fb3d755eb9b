package io.kbr.kopano.blob;

import io.kbr.kopano.model.BlobRef;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.util.HexFormat;

/**
 * {@code attachment_storage = files_v2} (§7.5): content-addressed directories {@code ab/cd/<60 hex>} named by
 * the SHA-256 of the uncompressed content, holding {@code content} and one empty {@code holder/s<guid>i<id>}
 * file per referencing instance. Readers use {@code singleinstances.filename} and never recompute it.
 */
final class FilesV2Backend implements AttachmentBackend {
    private static final HexFormat HEX = HexFormat.of();
    private final Path root;
    private final String serverGuidHex;

    FilesV2Backend(Path root, byte[] serverGuid) {
        this.root = root;
        this.serverGuidHex = HEX.formatHex(serverGuid);
    }

    @Override
    public String write(Connection c, long instanceId, int tag, byte[] data) throws IOException {
        String hex = HEX.formatHex(sha256(data));
        String rel = hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex.substring(4);
        Path dir = root.resolve(rel);
        Path holder = dir.resolve("holder");
        Files.createDirectories(holder);
        Path content = dir.resolve("content");
        if (!Files.exists(content)) {
            // Write beside and rename, so a concurrent reader never sees a half-written content file.
            Path tmp = Files.createTempFile(dir, "content", ".tmp");
            Files.write(tmp, data);
            try {
                Files.move(tmp, content, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
            }
        }
        Path holderFile = holder.resolve("s" + serverGuidHex + "i" + instanceId);
        if (!Files.exists(holderFile)) {
            Files.createFile(holderFile);
        }
        return rel;
    }

    @Override
    public InputStream open(Connection c, BlobRef ref) throws IOException {
        if (ref.filename() == null || ref.filename().isEmpty()) {
            throw new MissingBlobException("single instance " + ref.instanceId() + " has no files_v2 filename");
        }
        Path content = root.resolve(ref.filename()).resolve("content");
        if (!Files.exists(content)) {
            throw new MissingBlobException("attachment file " + content + " for single instance " + ref.instanceId() + " does not exist");
        }
        return new BufferedInputStream(Files.newInputStream(content));
    }

    /**
     * The whole content in one read into an array of its size, instead of {@link #open}'s buffered stream and
     * {@code readAllBytes}' chunk list (which allocated ~3x the data; the backup reads every file once).
     */
    @Override
    public byte[] read(Connection c, BlobRef ref) throws IOException {
        if (ref.filename() == null || ref.filename().isEmpty()) {
            throw new MissingBlobException("single instance " + ref.instanceId() + " has no files_v2 filename");
        }
        Path content = root.resolve(ref.filename()).resolve("content");
        try {
            return Files.readAllBytes(content);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new MissingBlobException("attachment file " + content + " for single instance " + ref.instanceId() + " does not exist");
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
