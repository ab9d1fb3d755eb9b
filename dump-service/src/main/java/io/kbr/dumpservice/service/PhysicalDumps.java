package io.kbr.dumpservice.service;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.ObjectStore;
import io.kbr.dump.DumpException;
import io.kbr.dump.DumpListener;
import io.kbr.dump.DumpManifest;
import io.kbr.dump.PhysicalBackup;
import io.kbr.dump.PhysicalOptions;
import io.kbr.dump.SnapshotBackup;
import io.kbr.dumpservice.config.DumpConfig;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** The physical and snapshot modes of a configured server (issue 8; docs/physical-backups.md). */
public final class PhysicalDumps {
    private static final Logger LOG = Logger.getLogger(PhysicalDumps.class);
    public static final List<String> MODES = List.of("logical", "physical", "snapshot");

    private PhysicalDumps() {
    }

    /** The normalised mode; {@link IllegalArgumentException} naming the allowed values. */
    public static String mode(String mode) {
        String m = mode == null ? "logical" : mode.trim().toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) {
            throw new IllegalArgumentException("unknown dump mode '" + mode + "'; expected one of " + MODES);
        }
        return m;
    }

    /**
     * For readiness: why a server in physical mode cannot run its backup tool (not found or not executable on this
     * host), or null when it can or the server is not in physical mode.
     */
    public static String missingTool(DumpConfig.Server server) {
        if (!"physical".equals(mode(server.mode()))) {
            return null;
        }
        String tool = server.physical().tool();
        if (tool.contains("/")) {
            return java.nio.file.Files.isExecutable(Path.of(tool)) ? null : tool + " is not an executable file";
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
                return null;
            }
        }
        return tool + " is not on the PATH (physical mode runs it on this host)";
    }

    static DumpManifest run(String mode, String serverId, DumpConfig.Server server, ObjectStore objects,
            BlobStore attachments, Supplier<Connection> connect, DumpManifest previous, DumpListener listener) {
        DumpConfig.Physical p = server.physical();
        Path attachmentDir = server.attachmentPath().map(Path::of).orElse(null);
        if (mode.equals("snapshot")) {
            DumpConfig.Snapshot s = p.snapshot();
            SnapshotBackup.Hooks hooks = new SnapshotBackup.Hooks(s.preCommand().orElse(null),
                    s.freezeCommand().orElse(null), s.postCommand().orElse(null), s.dir().orElse(null),
                    s.streamCommand().orElse(null));
            return new SnapshotBackup(objects, attachments).backup(serverId, connect, hooks, p.partBytes(), p.zstdLevel(),
                    p.checksums(), attachmentDir, previous, listener).manifest();
        }
        PhysicalBackup.Result r = new PhysicalBackup(objects, attachments).backup(serverId, connect, options(server),
                attachmentDir, previous, listener);
        LOG.infof("physical backup %s of %s: %d bytes stream, %d stored in %d parts, BLOCK_COMMIT %d ms (kbr's pause %d ms),"
                + " stream durable after %d ms, verification values %d ms", r.manifest().dumpId(), serverId,
                r.report().streamBytes(), r.report().storedBytes(), r.manifest().chunks().size(),
                r.report().blockCommitMillis(), r.report().alignPauseMillis(), r.report().backupMillis(),
                r.report().verificationMillis());
        return r.manifest();
    }

    /** Tool options from {@code kbr.dump.servers.<id>.physical.*}, host/port/user defaulting to the jdbc-url's. */
    static PhysicalOptions options(DumpConfig.Server server) {
        DumpConfig.Physical p = server.physical();
        URI uri;
        try {
            uri = URI.create(server.jdbcUrl().substring("jdbc:".length()));
        } catch (RuntimeException e) {
            throw new DumpException("Cannot read host and port from " + server.jdbcUrl() + ": " + e.getMessage(), e);
        }
        String host = p.host().orElse(uri.getHost());
        int port = p.port().orElse(uri.getPort() > 0 ? uri.getPort() : 3306);
        PhysicalOptions o = PhysicalOptions.tcp(host, port, p.user().orElse(server.user()),
                p.password().orElse(server.password().orElse("")))
                .withTool(p.tool()).withParallel(p.parallel()).withPartBytes(p.partBytes()).withZstdLevel(p.zstdLevel())
                .withChecksums(p.checksums()).withExtraArgs(p.extraArgs().orElse(List.of()));
        if (p.socket().isPresent()) {
            o = new PhysicalOptions(o.tool(), null, 0, p.socket().get(), o.user(), o.password(), null, o.parallel(),
                    o.partBytes(), o.zstdLevel(), o.checksums(), o.alignSnapshot(), o.extraArgs());
        }
        return p.datadir().map(o::withDatadir).orElse(o);
    }
}
