package io.kbr.dump;

import java.util.List;

/**
 * How a physical backup is taken (issue 8).
 *
 * @param tool        the backup program, {@code mariadb-backup} (on the PATH) by default; it must run on the database
 *                    host (it reads the data directory)
 * @param host        server host for the tool's connection, or null to use {@code socket}
 * @param port        server port (with {@code host})
 * @param socket      Unix socket, or null
 * @param user        user with the RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR privileges the tool needs
 * @param password    its password (handed over in a 0600 option file, never on the command line: the tool copies
 *                    its command line into {@code xtrabackup_info})
 * @param datadir     the server's data directory as the tool sees it; null = {@code SELECT @@datadir}
 * @param parallel    {@code --parallel}: files copied at once
 * @param partBytes   compressed bytes per stored part
 * @param zstdLevel   zstd level of the stream (3 = zstd's default)
 * @param checksums   compute each table's content checksum in the aligned snapshot (a full read of every table);
 *                    false = row counts only
 * @param alignSnapshot pause the tool (SIGSTOP, a few ms) while it holds BACKUP STAGE BLOCK_COMMIT, so the
 *                    verification snapshot opens at exactly the backup's position
 * @param extraArgs   more tool options, e.g. {@code --ftwrl-wait-timeout=60}
 */
public record PhysicalOptions(String tool, String host, int port, String socket, String user, String password,
        String datadir, int parallel, long partBytes, int zstdLevel, boolean checksums, boolean alignSnapshot,
        List<String> extraArgs) {

    public static final long DEFAULT_PART_BYTES = 256L * 1024 * 1024;

    public static PhysicalOptions tcp(String host, int port, String user, String password) {
        return new PhysicalOptions("mariadb-backup", host, port, null, user, password, null, 2, DEFAULT_PART_BYTES, 3,
                true, true, List.of());
    }

    public PhysicalOptions withTool(String t) {
        return new PhysicalOptions(t, host, port, socket, user, password, datadir, parallel, partBytes, zstdLevel,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withSocket(String s) {
        return new PhysicalOptions(tool, host, port, s, user, password, datadir, parallel, partBytes, zstdLevel,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withDatadir(String d) {
        return new PhysicalOptions(tool, host, port, socket, user, password, d, parallel, partBytes, zstdLevel,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withParallel(int n) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, n, partBytes, zstdLevel,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withPartBytes(long n) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, parallel, n, zstdLevel,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withZstdLevel(int n) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, parallel, partBytes, n,
                checksums, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withChecksums(boolean on) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, parallel, partBytes, zstdLevel,
                on, alignSnapshot, extraArgs);
    }

    public PhysicalOptions withAlignSnapshot(boolean on) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, parallel, partBytes, zstdLevel,
                checksums, on, extraArgs);
    }

    public PhysicalOptions withExtraArgs(List<String> args) {
        return new PhysicalOptions(tool, host, port, socket, user, password, datadir, parallel, partBytes, zstdLevel,
                checksums, alignSnapshot, List.copyOf(args));
    }
}
