package io.kbr.kopano.schema;

import io.kbr.kopano.write.AttachmentStorage;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Creates an empty Kopano database as kopano-server 11.0.2 leaves it after its first start on an
 * empty MySQL database (schema revision 118, KOPANO-STORAGE.md §1): the 25 tables, the default rows
 * of §1.2, the rows the first start adds (a second {@code versions} row, {@code attachment_storage})
 * and the stored procedures of §1.3. kbr uses it to build test mailboxes and restore targets
 * without a running kopano-server.
 *
 * <p>The SQL lives in {@code tables.sql}, {@code default-rows.sql} and {@code procedures.sql} next to
 * this class. The connection must point at an existing database without Kopano tables (a JDBC URL
 * with a database name). Statements run with the connection's autocommit setting; DDL commits anyway.
 *
 * <p>Callers of the procedures: {@code StreamObj} recurses, which needs the session variable
 * {@code max_sp_recursion_depth} above 0 (kopano-server sets 255), and multi-valued rows are cut
 * at the session's {@code group_concat_max_len} (kopano-server sets at least 21844).
 */
public final class KopanoSchema {
    /** {@code versions.databaserevision} of Kopano 11 ({@code Z_UPDATE_LAST} in ECDBDef.h, §1). */
    public static final int SCHEMA_REVISION = 118;

    /** The kopano-server release that creates and first starts the database: 11.0.2, local revision 0. */
    public static final int VERSION_MAJOR = 11;
    public static final int VERSION_MINOR = 0;
    public static final int VERSION_MICRO = 2;
    public static final int VERSION_REVISION = 0;

    /** The 25 tables kopano-server creates, in its creation order (kcsrv_tables[], §1). */
    public static final List<String> TABLES = List.of(
            "acl", "hierarchy", "names", "mvproperties", "tproperties", "properties", "deferredupdate",
            "receivefolder", "stores", "users", "outgoingqueue", "lob", "searchresults", "changes", "syncs",
            "versions", "indexedproperties", "settings", "object", "objectproperty", "objectmvproperty",
            "objectrelation", "singleinstances", "abchanges", "syncedmessages");

    /** The stored procedures of §1.3. */
    public static final List<String> PROCEDURES = List.of("GetBestBody", "GetProps", "PrepareGetProps", "StreamObj");

    /** What kopano-server writes to {@code settings.attachment_storage} on a new install ("auto", §7.1). */
    public static final String DEFAULT_ATTACHMENT_STORAGE = AttachmentStorage.Kind.FILES_V2.settingValue();

    /** The charset of every table, recorded in {@code settings.charset} (§1). */
    public static final String CHARSET = "utf8mb4";

    /**
     * The session sql_mode of kopano-server (ECDatabase::Connect). The procedures are created under
     * it, and MySQL keeps it with each routine: their {@code tag - 34049} on an UNSIGNED column
     * needs NO_UNSIGNED_SUBTRACTION (§3.6).
     */
    static final String KOPANO_SQL_MODE = "STRICT_ALL_TABLES,NO_UNSIGNED_SUBTRACTION";

    private static final SecureRandom RANDOM = new SecureRandom();

    private KopanoSchema() {
    }

    /** Creates the schema with a random server GUID and attachment storage {@code files_v2}. */
    public static void create(Connection c) throws SQLException {
        create(c, randomServerGuid());
    }

    /** Creates the schema with the given 16-byte {@code settings.server_guid} and attachment storage {@code files_v2}. */
    public static void create(Connection c, byte[] serverGuid) throws SQLException {
        create(c, serverGuid, DEFAULT_ATTACHMENT_STORAGE);
    }

    /** Creates the schema with the given server GUID and attachment storage backend. */
    public static void create(Connection c, byte[] serverGuid, AttachmentStorage.Kind attachmentStorage) throws SQLException {
        create(c, serverGuid, attachmentStorage.settingValue());
    }

    /**
     * Creates the schema.
     *
     * @param serverGuid        16 bytes for {@code settings.server_guid}, the prefix of server-made sourcekeys (§4.2)
     * @param attachmentStorage the {@code settings.attachment_storage} value as kopano-server writes it from its
     *                          configuration, e.g. {@code files_v2}, {@code database}, {@code files},
     *                          {@code files_v1-10-20} (§7.1)
     */
    public static void create(Connection c, byte[] serverGuid, String attachmentStorage) throws SQLException {
        Objects.requireNonNull(c, "connection");
        if (serverGuid == null || serverGuid.length != 16) {
            throw new IllegalArgumentException("the server GUID must have 16 bytes");
        }
        if (attachmentStorage == null || attachmentStorage.isBlank()) {
            throw new IllegalArgumentException("attachment storage must be a backend name such as files_v2 or database");
        }
        requireNoKopanoTables(c);
        withKopanoSqlMode(c, () -> {
            // §1 / §1.2: what ECDatabase::CreateDatabase does ...
            SqlScript.load("tables.sql").execute(c);
            SqlScript.load("default-rows.sql").execute(c);
            writeCreationRows(c, serverGuid);
            // ... and what the first start adds (§1.1 versions, §7.1, §1.3).
            writeFirstStartRows(c, attachmentStorage);
            SqlScript.load("procedures.sql").execute(c);
        });
    }

    /**
     * Drops and re-creates the four stored procedures, as kopano-server does at every start (§1.3,
     * InitializeDBState). Useful after restoring a dump that was taken without routines.
     */
    public static void createProcedures(Connection c) throws SQLException {
        withKopanoSqlMode(c, () -> SqlScript.load("procedures.sql").execute(c));
    }

    /** 16 random bytes, as InsertServerGUID makes them (§1.2). */
    public static byte[] randomServerGuid() {
        byte[] guid = new byte[16];
        RANDOM.nextBytes(guid);
        return guid;
    }

    /** The §1.2 rows of ECDatabase::CreateDatabase that depend on this installation. */
    private static void writeCreationRows(Connection c, byte[] serverGuid) throws SQLException {
        // §1.2: 'charset' is created as 'unset' and then set to the charset the tables got.
        try (PreparedStatement ps = c.prepareStatement("UPDATE settings SET value = ? WHERE name = 'charset'")) {
            ps.setString(1, CHARSET);
            ps.executeUpdate();
        }
        // §1.2 / §4.2: the server GUID (InsertServerGUID).
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO settings (name, value) VALUES ('server_guid', ?)")) {
            ps.setBytes(1, serverGuid);
            ps.executeUpdate();
        }
        // §1.2 versions. Kopano's UpdateDatabaseVersion only names the micro column when versions already
        // has a row of revision >= 64; in a new database it has none, so this first row gets micro 0.
        insertVersion(c, 0);
    }

    /** The rows kopano-server adds on its first start. */
    private static void writeFirstStartRows(Connection c, String attachmentStorage) throws SQLException {
        // §1.1 versions: UpdateDatabase finds 11.0.0 older than the program's 11.0.2 and, with no schema
        // update to run, records the software version (now with micro).
        insertVersion(c, VERSION_MICRO);
        // §1.2 / §7.1: check_database_attachments writes the backend in use.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO settings (name, value) VALUES ('attachment_storage', ?)")) {
            ps.setString(1, attachmentStorage);
            ps.executeUpdate();
        }
    }

    private static void insertVersion(Connection c, int micro) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO versions (major, minor, micro, revision, databaserevision, updatetime) VALUES (?, ?, ?, ?, ?, NOW())")) {
            ps.setInt(1, VERSION_MAJOR);
            ps.setInt(2, VERSION_MINOR);
            ps.setInt(3, micro);
            ps.setInt(4, VERSION_REVISION);
            ps.setInt(5, SCHEMA_REVISION);
            ps.executeUpdate();
        }
    }

    private static void requireNoKopanoTables(Connection c) throws SQLException {
        String database;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DATABASE()")) {
            rs.next();
            database = rs.getString(1);
        }
        if (database == null) {
            throw new SQLException("the connection has no current database; put the database name in the JDBC URL");
        }
        List<String> present = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (TABLES.contains(rs.getString(1))) {
                        present.add(rs.getString(1));
                    }
                }
            }
        }
        if (!present.isEmpty()) {
            throw new SQLException("database " + database + " already has Kopano tables " + present
                    + "; creating the Kopano schema needs a database without them");
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs work under kopano-server's sql_mode and restores the session's own afterwards. */
    private static void withKopanoSqlMode(Connection c, SqlWork work) throws SQLException {
        String previous;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@SESSION.sql_mode")) {
            rs.next();
            previous = rs.getString(1);
        }
        setSqlMode(c, KOPANO_SQL_MODE);
        try {
            work.run();
        } catch (SQLException | RuntimeException e) {
            try {
                setSqlMode(c, previous);
            } catch (SQLException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        setSqlMode(c, previous);
    }

    private static void setSqlMode(Connection c, String mode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SET SESSION sql_mode = ?")) {
            ps.setString(1, mode);
            ps.executeUpdate();
        }
    }
}
