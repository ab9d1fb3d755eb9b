package io.kbr.kopano.blob;

import io.kbr.kopano.model.BlobRef;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code attachment_storage = files} / {@code files_v1-L1-L2} (§7.4): one file per instance under
 * {@code <path>/<id % L1>/<(id / L1) % L2>/<id>}, gzip-compressed with suffix {@code .gz} when compression
 * is on, the blob is larger than 4096 bytes and does not already look compressed.
 */
final class FilesV1Backend implements AttachmentBackend {
    private final Path root;
    private final int l1;
    private final int l2;
    private final int compression;

    FilesV1Backend(Path root, int l1, int l2, int compression) {
        this.root = root;
        this.l1 = l1;
        this.l2 = l2;
        this.compression = Math.min(compression, 9);
    }

    Path plainPath(long instanceId) {
        return root.resolve(Long.toString(instanceId % l1)).resolve(Long.toString((instanceId / l1) % l2)).resolve(Long.toString(instanceId));
    }

    @Override
    public String write(Connection c, long instanceId, int tag, byte[] data) throws IOException {
        Path plain = plainPath(instanceId);
        Files.createDirectories(plain.getParent());
        boolean gzip = compression > 0 && data.length > 4096 && !looksCompressed(data);
        Path target = gzip ? plain.resolveSibling(plain.getFileName() + ".gz") : plain;
        try (OutputStream out = gzip ? new LeveledGzip(Files.newOutputStream(target), compression) : Files.newOutputStream(target)) {
            out.write(data);
        }
        return null;
    }

    @Override
    public InputStream open(Connection c, BlobRef ref) throws IOException {
        // §7.4: the server tries the name of its current setting first, then the other; so do we.
        Path plain = plainPath(ref.instanceId());
        Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
        if (Files.exists(gz)) {
            return new GZIPInputStream(new BufferedInputStream(Files.newInputStream(gz)), 64 * 1024);
        }
        if (Files.exists(plain)) {
            return new BufferedInputStream(Files.newInputStream(plain));
        }
        throw new MissingBlobException("attachment file " + plain + "[.gz] for single instance " + ref.instanceId() + " does not exist");
    }

    /** §7.4 EvaluateCompressibleness: ZIP/OOXML, JPEG, GIF, PNG, RAR, gzip, xz, bzip2 and MP3 are stored raw. */
    static boolean looksCompressed(byte[] d) {
        return startsWith(d, 0x50, 0x4B, 0x03, 0x04) // zip, ooxml
                || startsWith(d, 0xFF, 0xD8, 0xFF) // jpeg
                || startsWith(d, 'G', 'I', 'F', '8') // gif
                || startsWith(d, 0x89, 'P', 'N', 'G') // png
                || startsWith(d, 'R', 'a', 'r', '!') // rar
                || startsWith(d, 0x1F, 0x8B) // gzip
                || startsWith(d, 0xFD, '7', 'z', 'X', 'Z') // xz
                || startsWith(d, 'B', 'Z', 'h') // bzip2
                || startsWith(d, 'I', 'D', '3') || startsWith(d, 0xFF, 0xFB); // mp3
    }

    private static boolean startsWith(byte[] d, int... magic) {
        if (d.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((d[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** A GZIP stream with a chosen deflate level (the JDK's default constructor has none). */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level == 0 ? Deflater.DEFAULT_COMPRESSION : level);
        }
    }
}
