package io.kbr.dump;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads an xbstream as it passes (a tee, never buffering more than a small header) and keeps the content of a few
 * small files of the backup, e.g. {@code xtrabackup_binlog_info} / {@code mariadb_backup_binlog_info} (the binlog
 * position and GTID the tool recorded under BACKUP STAGE BLOCK_COMMIT) and {@code xtrabackup_info}; counts the files.
 *
 * <p>xbstream chunk: magic {@code XBSTCK01}, flags (1 byte), type (1 byte: {@code P} payload, {@code E} end of file),
 * path length (4 bytes LE), path; for {@code P}: payload length (8 LE), offset (8 LE), CRC32 (4 LE), payload. An
 * unknown chunk type stops the scan (the stream is still stored whole; only these extras are then missing).
 */
final class XbstreamScanner extends OutputStream {
    private static final byte[] MAGIC = "XBSTCK01".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_KEPT = 64 * 1024;

    private final Set<String> wanted;
    private final Map<String, ByteArrayOutputStream> kept = new HashMap<>();
    private final byte[] header = new byte[8 + 1 + 1 + 4 + 4096 + 20];
    private int headerFilled;
    private long payloadLeft = -1; // >= 0 while inside a payload
    private String payloadPath;
    private boolean stopped;
    private String stopReason;
    private int files;

    XbstreamScanner(Set<String> wanted) {
        this.wanted = wanted;
    }

    /** The kept file's content, or null when the stream had no such file (or the scan stopped before it). */
    String file(String name) {
        ByteArrayOutputStream b = kept.get(name);
        return b == null ? null : b.toString(StandardCharsets.UTF_8);
    }

    int files() {
        return files;
    }

    String stopReason() {
        return stopReason;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0 && !stopped) {
            if (payloadLeft >= 0) {
                int n = (int) Math.min(len, payloadLeft);
                ByteArrayOutputStream keep = payloadPath == null ? null : kept.get(payloadPath);
                if (keep != null && keep.size() + n <= MAX_KEPT) {
                    keep.write(b, off, n);
                }
                payloadLeft -= n;
                off += n;
                len -= n;
                if (payloadLeft == 0) {
                    payloadLeft = -1;
                }
                continue;
            }
            header[headerFilled++] = b[off++];
            len--;
            parseHeader();
        }
    }

    /** Consumes a complete chunk header when one is buffered. */
    private void parseHeader() {
        if (headerFilled <= MAGIC.length) {
            if (header[headerFilled - 1] != MAGIC[headerFilled - 1]) {
                stop("no xbstream magic at a chunk boundary");
            }
            return;
        }
        if (headerFilled < 14) {
            return;
        }
        char type = (char) header[9];
        int pathLen = (int) le(10, 4);
        if (pathLen < 0 || pathLen > 4096) {
            stop("path length " + pathLen);
            return;
        }
        int base = 14 + pathLen;
        if (type == 'E') {
            if (headerFilled == base) {
                files++;
                headerFilled = 0;
            }
            return;
        }
        if (type != 'P') {
            stop("chunk type " + type);
            return;
        }
        if (headerFilled < base + 20) {
            return;
        }
        String path = new String(header, 14, pathLen, StandardCharsets.UTF_8);
        String name = path.contains("/") ? path.substring(path.lastIndexOf('/') + 1) : path;
        payloadLeft = le(base, 8);
        payloadPath = wanted.contains(name) && !path.contains("/") ? name : null;
        if (payloadPath != null) {
            kept.computeIfAbsent(payloadPath, k -> new ByteArrayOutputStream());
        }
        headerFilled = 0;
        if (payloadLeft == 0) {
            payloadLeft = -1;
        }
    }

    private long le(int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (header[at + i] & 0xff);
        }
        return v;
    }

    private void stop(String reason) {
        stopped = true;
        stopReason = reason;
    }
}
