package io.kbr.kopano.blob;

import io.kbr.kopano.model.BlobRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code attachment_storage = database}: data in {@code lob} chunks of 384 KiB, no compression (§7.3). */
final class LobBackend implements AttachmentBackend {
    /** §7.3 / §11: the code uses 384 KiB, not the 256K of the old notes. */
    static final int CHUNK_SIZE = 384 * 1024;

    @Override
    public String write(Connection c, long instanceId, int tag, byte[] data) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lob (instanceid, chunkid, tag, val_binary) VALUES (?,?,?,?)")) {
            int chunk = 0;
            int off = 0;
            do {
                int len = Math.min(CHUNK_SIZE, data.length - off);
                byte[] part = new byte[len];
                System.arraycopy(data, off, part, 0, len);
                ps.setLong(1, instanceId);
                ps.setInt(2, chunk++);
                ps.setInt(3, tag);
                ps.setBytes(4, part);
                ps.addBatch();
                off += len;
            } while (off < data.length);
            ps.executeBatch();
        }
        return null;
    }

    @Override
    public InputStream open(Connection c, BlobRef ref) throws SQLException, IOException {
        // Chunks are read one query at a time so a large attachment is never held in memory whole.
        List<Integer> chunks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT chunkid FROM lob WHERE instanceid = ? ORDER BY chunkid")) {
            ps.setLong(1, ref.instanceId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chunks.add(rs.getInt(1));
                }
            }
        }
        if (chunks.isEmpty()) {
            throw new MissingBlobException("no lob rows for single instance " + ref.instanceId());
        }
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i) != i) {
                throw new MissingBlobException("lob chunk " + i + " of single instance " + ref.instanceId() + " is missing");
            }
        }
        if (chunks.size() == 1) {
            return new ByteArrayInputStream(chunk(c, ref.instanceId(), 0));
        }
        List<InputStream> streams = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            final int chunkId = i;
            streams.add(new LazyStream(() -> chunk(c, ref.instanceId(), chunkId)));
        }
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    private static byte[] chunk(Connection c, long instanceId, int chunkId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT val_binary FROM lob WHERE instanceid = ? AND chunkid = ?")) {
            ps.setLong(1, instanceId);
            ps.setInt(2, chunkId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("lob chunk " + chunkId + " of instance " + instanceId + " vanished");
                }
                byte[] b = rs.getBytes(1);
                return b == null ? new byte[0] : b;
            }
        }
    }

    /** An input stream whose bytes are fetched on first read. */
    private static final class LazyStream extends InputStream {
        interface Source {
            byte[] get() throws SQLException;
        }

        private final Source source;
        private InputStream delegate;

        LazyStream(Source source) {
            this.source = source;
        }

        private InputStream in() throws IOException {
            if (delegate == null) {
                try {
                    delegate = new ByteArrayInputStream(source.get());
                } catch (SQLException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            return delegate;
        }

        @Override
        public int read() throws IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in().read(b, off, len);
        }
    }
}
