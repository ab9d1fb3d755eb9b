package io.kbr.bench;

import io.kbr.kopano.write.AttachmentStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The floor a full backup is measured against: the least work that gets every byte a backup needs out of the
 * Kopano database and the attachment store. One streaming, forward-only, read-only {@code SELECT *} per table
 * ({@code hierarchy}, {@code properties}, {@code mvproperties}, {@code indexedproperties},
 * {@code singleinstances}, and {@code lob} for the database backend) inside one consistent snapshot, touching every
 * column value of every row as raw bytes ({@code getBytes}, no decoding), then every attachment file read once to its
 * end into a reused buffer (files backend: the stored, possibly gzipped, bytes; files_v2: each content directory
 * once). The whole database is read: besides the benchmark store it holds only the two rows of the SYSTEM store.
 */
final class StorageFloor {
    static final List<String> TABLES = List.of("hierarchy", "properties", "mvproperties", "indexedproperties", "singleinstances");

    /** What one table or the attachment files gave. */
    record Part(String name, long rows, long bytes, long nanos) {
    }

    /** The floor: every part, and the totals. */
    record Result(List<Part> parts, long nanos) {
        long bytes() {
            return parts.stream().mapToLong(Part::bytes).sum();
        }

        double megabytesPerSecond() {
            return bytes() / 1e6 / (nanos / 1e9);
        }
    }

    private final AttachmentStorage storage;

    StorageFloor(AttachmentStorage storage) {
        this.storage = storage;
    }

    Result measure(Connection c) throws SQLException, IOException {
        long started = System.nanoTime();
        List<Part> parts = new ArrayList<>();
        Set<Long> instanceIds = new LinkedHashSet<>();
        Set<String> v2Dirs = new LinkedHashSet<>();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try {
            try (Statement st = c.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            List<String> tables = new ArrayList<>(TABLES);
            if (storage.kind() == AttachmentStorage.Kind.DATABASE) {
                tables.add("lob");
            }
            for (String table : tables) {
                parts.add(streamTable(c, table, table.equals("singleinstances") ? (id, filename) -> {
                    instanceIds.add(id);
                    if (filename != null) {
                        v2Dirs.add(filename);
                    }
                } : null));
            }
            c.commit();
        } finally {
            c.setReadOnly(false);
            c.setAutoCommit(auto);
        }
        switch (storage.kind()) {
            case FILES -> parts.add(readFiles("attachment files", v1Files(instanceIds)));
            case FILES_V2 -> parts.add(readFiles("attachment files", v2Dirs.stream().map(d -> storage.path().resolve(d).resolve("content")).toList()));
            case DATABASE -> {
                // the lob table above is the attachment data
            }
        }
        return new Result(parts, System.nanoTime() - started);
    }

    private interface InstanceSink {
        void accept(long instanceId, String filename);
    }

    private static Part streamTable(Connection c, String table, InstanceSink instances) throws SQLException {
        long started = System.nanoTime();
        long rows = 0;
        long bytes = 0;
        try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            st.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream rows instead of buffering the result
            try (ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
                int columns = rs.getMetaData().getColumnCount();
                int instanceCol = instances == null ? -1 : rs.findColumn("instanceid");
                int filenameCol = instances == null ? -1 : rs.findColumn("filename");
                while (rs.next()) {
                    rows++;
                    for (int i = 1; i <= columns; i++) {
                        byte[] v = rs.getBytes(i);
                        if (v != null) {
                            bytes += v.length;
                        }
                    }
                    if (instances != null) {
                        instances.accept(rs.getLong(instanceCol), rs.getString(filenameCol));
                    }
                }
            }
        }
        return new Part(table, rows, bytes, System.nanoTime() - started);
    }

    /** §7.4 {@code files} = files_v1-10-20: {@code <path>/<id % 10>/<(id / 10) % 20>/<id>[.gz]}. */
    private List<Path> v1Files(Set<Long> instanceIds) {
        List<Path> out = new ArrayList<>(instanceIds.size());
        for (long id : instanceIds) {
            Path plain = storage.path().resolve(Long.toString(id % 10)).resolve(Long.toString((id / 10) % 20)).resolve(Long.toString(id));
            Path gz = plain.resolveSibling(id + ".gz");
            out.add(Files.exists(gz) ? gz : plain);
        }
        return out;
    }

    private static Part readFiles(String name, List<Path> files) throws IOException {
        long started = System.nanoTime();
        byte[] buffer = new byte[64 * 1024];
        long bytes = 0;
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    bytes += n;
                }
            } catch (NoSuchFileException e) {
                throw new IOException("attachment file " + f + " is missing: the benchmark database is broken", e);
            }
        }
        return new Part(name, files.size(), bytes, System.nanoTime() - started);
    }

    /**
     * The floor in a JVM of its own, with the JVM's default flags: {@code StorageFloor <jdbc-url> <user> <password>
     * <files_v2|files|database> <attachment-path>} measures one pass per {@code go} line on stdin and answers with one line
     * per pass ({@link #encode}); {@code quit} ends it. FullBackupBench uses it so that the JVM flags of the agent, which
     * the benchmark JVM runs with, never slow (or speed up) the floor it is compared against.
     */
    public static void main(String[] args) throws Exception {
        AttachmentStorage.Kind kind = switch (args[3]) {
            case "files_v2" -> AttachmentStorage.Kind.FILES_V2;
            case "files" -> AttachmentStorage.Kind.FILES;
            default -> AttachmentStorage.Kind.DATABASE;
        };
        AttachmentStorage storage = switch (kind) {
            case FILES_V2 -> AttachmentStorage.filesV2(Path.of(args[4]));
            case FILES -> AttachmentStorage.files(Path.of(args[4]), 6);
            case DATABASE -> AttachmentStorage.database();
        };
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        for (String line = in.readLine(); line != null && line.equals("go"); line = in.readLine()) {
            try (Connection c = java.sql.DriverManager.getConnection(args[0], args[1], args[2])) {
                System.out.println(encode(new StorageFloor(storage).measure(c)));
            }
            System.out.flush();
        }
    }

    /** One line: {@code floor <nanos> <name>|<rows>|<bytes>|<nanos> ...} (part names contain no '|' and are URL-encoded for spaces). */
    static String encode(Result r) {
        StringBuilder b = new StringBuilder("floor ").append(r.nanos());
        for (Part p : r.parts()) {
            b.append(' ').append(p.name().replace(' ', '+')).append('|').append(p.rows()).append('|').append(p.bytes()).append('|').append(p.nanos());
        }
        return b.toString();
    }

    static Result decode(String line) {
        String[] f = line.trim().split(" ");
        if (f.length < 2 || !f[0].equals("floor")) {
            throw new IllegalStateException("unexpected answer of the floor JVM: " + line);
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 2; i < f.length; i++) {
            String[] q = f[i].split("\\|");
            parts.add(new Part(q[0].replace('+', ' '), Long.parseLong(q[1]), Long.parseLong(q[2]), Long.parseLong(q[3])));
        }
        return new Result(parts, Long.parseLong(f[1]));
    }

    /** Rows and bytes per part, for the report. */
    static Map<String, String> describe(Result r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Part p : r.parts()) {
            out.put(p.name(), String.format("%,d rows, %,.1f MB, %.2f s", p.rows(), p.bytes() / 1e6, p.nanos() / 1e9));
        }
        return out;
    }
}
