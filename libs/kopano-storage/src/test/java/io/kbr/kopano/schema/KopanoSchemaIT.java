package io.kbr.kopano.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.SharedServers;
import java.nio.charset.StandardCharsets;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Creates a Kopano database with {@link KopanoSchema} on a real MariaDB and compares it with what
 * Kopano 11 creates (KOPANO-STORAGE.md §1), and runs the stored procedures of §1.3 on a message
 * built by hand.
 */
class KopanoSchemaIT {
    private static final HexFormat HEX = HexFormat.of();
    private static final String DB = "kopano_schema_it";
    private static final byte[] SERVER_GUID = HEX.parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");

    /** PS_PUBLIC_STRINGS in the little-endian byte order of names.guid (§3.6). */
    private static final String PS_PUBLIC_STRINGS_DCE = "2903020000000000c000000000000046";

    private static final int PR_SUBJECT = 55;
    private static final int PR_MESSAGE_FLAGS = 3591;
    private static final int PR_BODY = 4096;
    private static final int PR_RTF_COMPRESSED = 4105;
    private static final int PR_HTML = 4115;
    private static final int PR_SEARCH_KEY = 12299;
    private static final int PR_DISPLAY_NAME = 12289;
    private static final int PR_RECIPIENT_TYPE = 3093;
    private static final int PR_ATTACH_METHOD = 14085;
    private static final int PR_ATTACH_LONG_FILENAME = 14087;
    private static final int PT_LONG = 3;
    private static final int PT_STRING8 = 30;
    private static final int PT_BINARY = 258;
    private static final int PT_MV_LONG = 0x1003;
    private static final int PT_MV_STRING8 = 0x101E;

    /** The JVM's shared MariaDB; this class keeps to its own databases (kopano_schema_it*). */
    static MariaDbServer server;

    @BeforeAll
    static void createKopanoDatabase() throws SQLException {
        server = SharedServers.mariaDb();
        server.createDatabase(DB);
        try (Connection c = connect(DB)) {
            KopanoSchema.create(c, SERVER_GUID, "files_v2");
        }
    }

    // ---------------------------------------------------------------- tables (§1, §1.1)

    /**
     * The expected definition of each table, written from KOPANO-STORAGE.md §1.1 and, where the
     * primer is silent (exact widths, defaults, plugin tables), from Kopano's ECDBDef.h. Column:
     * {@code name type NULL|NOT NULL [DEFAULT v] [AUTO_INCREMENT] [COLLATE x | CHARSET y]};
     * utf8mb4 text columns with the default collation carry no suffix.
     */
    private static final Map<String, TableDef> EXPECTED = new LinkedHashMap<>();

    static {
        table("acl",
                cols("id int(11) NOT NULL DEFAULT 0",
                        "hierarchy_id int(11) unsigned NOT NULL DEFAULT 0",
                        "type tinyint(4) unsigned NOT NULL DEFAULT 0",
                        "rights int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (hierarchy_id, id, type)"));
        table("hierarchy",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "parent int(11) unsigned NULL DEFAULT 0",
                        "type tinyint(4) unsigned NOT NULL DEFAULT 0",
                        "flags smallint(6) unsigned NOT NULL DEFAULT 0",
                        "owner int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (id)", "KEY parenttypeflags (parent, type, flags)"));
        table("names",
                cols("id int(11) NOT NULL AUTO_INCREMENT",
                        "nameid int(11) NULL",
                        "namestring varchar(185) NULL COLLATE utf8mb4_bin",
                        "guid binary(16) NOT NULL"),
                keys("PRIMARY KEY (id)", "KEY nameid (nameid)", "KEY namestring (namestring)",
                        "UNIQUE KEY gni (guid, nameid)", "UNIQUE KEY gns (guid, namestring)"));
        table("mvproperties",
                cols("hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "orderid smallint(6) unsigned NOT NULL DEFAULT 0",
                        "tag smallint(6) unsigned NOT NULL DEFAULT 0",
                        "type smallint(6) unsigned NOT NULL DEFAULT 0",
                        "val_ulong int(11) unsigned NULL",
                        "val_string longtext NULL",
                        "val_binary longblob NULL",
                        "val_double double NULL",
                        "val_longint bigint(20) NULL",
                        "val_hi int(11) NULL",
                        "val_lo int(11) unsigned NULL"),
                keys("PRIMARY KEY (hierarchyid, tag, type, orderid)"));
        table("tproperties",
                cols("folderid int(11) unsigned NOT NULL DEFAULT 0",
                        "hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "tag smallint(6) unsigned NOT NULL DEFAULT 0",
                        "type smallint(6) unsigned NOT NULL",
                        "val_ulong int(11) unsigned NULL",
                        "val_string longtext NULL",
                        "val_binary longblob NULL",
                        "val_double double NULL",
                        "val_longint bigint(20) NULL",
                        "val_hi int(11) NULL",
                        "val_lo int(11) unsigned NULL"),
                keys("PRIMARY KEY (folderid, tag, hierarchyid, type)", "KEY hi (hierarchyid)"));
        table("properties",
                cols("hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "tag smallint(6) unsigned NOT NULL DEFAULT 0",
                        "type smallint(6) unsigned NOT NULL",
                        "val_ulong int(11) unsigned NULL",
                        "val_string longtext NULL",
                        "val_binary longblob NULL",
                        "val_double double NULL",
                        "val_longint bigint(20) NULL",
                        "val_hi int(11) NULL",
                        "val_lo int(11) unsigned NULL",
                        "comp tinyint(1) NULL DEFAULT 0"),
                keys("PRIMARY KEY (hierarchyid, tag, type)"));
        table("deferredupdate",
                cols("hierarchyid int(11) unsigned NOT NULL",
                        "folderid int(11) unsigned NOT NULL",
                        "srcfolderid int(11) unsigned NULL"),
                keys("PRIMARY KEY (hierarchyid)", "KEY folderid (folderid)"));
        table("receivefolder",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "storeid int(11) unsigned NOT NULL DEFAULT 0",
                        "objid int(11) unsigned NOT NULL DEFAULT 0",
                        "messageclass varchar(185) NOT NULL DEFAULT ''"),
                keys("PRIMARY KEY (id)", "UNIQUE KEY storeid (storeid, messageclass)"));
        table("stores",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "hierarchy_id int(11) unsigned NOT NULL DEFAULT 0",
                        "user_id int(11) unsigned NOT NULL DEFAULT 0",
                        "type smallint(6) unsigned NOT NULL DEFAULT 0",
                        "user_name varchar(255) NOT NULL DEFAULT '' CHARSET utf8mb3",
                        "company int(11) unsigned NOT NULL DEFAULT 0",
                        "guid blob NOT NULL"),
                keys("PRIMARY KEY (user_id, hierarchy_id, type)", "UNIQUE KEY id (id)"));
        table("users",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "externid blob NULL",
                        "objectclass int(11) NOT NULL DEFAULT 0",
                        "signature varbinary(255) NOT NULL DEFAULT '0'",
                        "company int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (id)", "UNIQUE KEY externid (externid(255), objectclass)"));
        table("outgoingqueue",
                cols("store_id int(11) unsigned NOT NULL DEFAULT 0",
                        "hierarchy_id int(11) unsigned NOT NULL DEFAULT 0",
                        "flags tinyint(4) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (hierarchy_id, flags, store_id)"));
        table("lob",
                cols("instanceid int(11) unsigned NOT NULL",
                        "chunkid smallint(6) unsigned NOT NULL",
                        "tag smallint(6) unsigned NOT NULL",
                        "val_binary longblob NULL"),
                keys("PRIMARY KEY (instanceid, tag, chunkid)"));
        table("searchresults",
                cols("folderid int(11) unsigned NOT NULL DEFAULT 0",
                        "hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "flags int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (folderid, hierarchyid)"));
        table("changes",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "sourcekey varbinary(64) NOT NULL",
                        "parentsourcekey varbinary(64) NOT NULL",
                        "change_type int(11) unsigned NOT NULL DEFAULT 0",
                        "flags int(11) unsigned NULL",
                        "sourcesync int(11) unsigned NULL"),
                keys("PRIMARY KEY (parentsourcekey, sourcekey, change_type)", "UNIQUE KEY changeid (id)",
                        "UNIQUE KEY state (parentsourcekey, id)"));
        table("syncs",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "sourcekey varbinary(64) NOT NULL",
                        "change_id int(11) unsigned NOT NULL",
                        "sync_type int(11) unsigned NULL",
                        "sync_time datetime NOT NULL"),
                keys("PRIMARY KEY (id)", "KEY foldersync (sourcekey, sync_type)", "KEY changes (change_id)",
                        "KEY sync_time (sync_time)"));
        table("versions",
                cols("major int(11) unsigned NOT NULL DEFAULT 0",
                        "minor int(11) unsigned NOT NULL DEFAULT 0",
                        "micro int(11) unsigned NOT NULL DEFAULT 0",
                        "revision int(11) unsigned NOT NULL DEFAULT 0",
                        "databaserevision int(11) unsigned NOT NULL DEFAULT 0",
                        "updatetime datetime NOT NULL"),
                keys("PRIMARY KEY (major, minor, micro, revision, databaserevision)"));
        table("indexedproperties",
                cols("hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "tag smallint(6) unsigned NOT NULL DEFAULT 0",
                        "val_binary varbinary(255) NULL"),
                keys("PRIMARY KEY (hierarchyid, tag)", "UNIQUE KEY bin (tag, val_binary)"));
        table("settings",
                cols("name varchar(185) NOT NULL COLLATE utf8mb4_bin",
                        "value blob NOT NULL"),
                keys("PRIMARY KEY (name)"));
        table("singleinstances",
                cols("instanceid int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "hierarchyid int(11) unsigned NOT NULL DEFAULT 0",
                        "tag smallint(6) unsigned NOT NULL DEFAULT 0",
                        "filename varchar(255) NULL"),
                keys("PRIMARY KEY (instanceid, hierarchyid, tag)", "UNIQUE KEY hkey (hierarchyid, tag)"));
        table("abchanges",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "sourcekey varbinary(255) NOT NULL",
                        "parentsourcekey varbinary(255) NOT NULL",
                        "change_type int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (parentsourcekey, change_type, sourcekey)", "UNIQUE KEY changeid (id)"));
        table("syncedmessages",
                cols("sync_id int(11) unsigned NOT NULL",
                        "change_id int(11) unsigned NOT NULL",
                        "sourcekey varbinary(64) NOT NULL",
                        "parentsourcekey varbinary(64) NOT NULL"),
                keys("PRIMARY KEY (sync_id, change_id, sourcekey)", "KEY sync_state (sync_id, change_id)"));
        table("object",
                cols("id int(11) unsigned NOT NULL AUTO_INCREMENT",
                        "externid blob NULL",
                        "objectclass int(11) unsigned NOT NULL DEFAULT 0"),
                keys("PRIMARY KEY (id, objectclass)", "UNIQUE KEY id (id)",
                        "UNIQUE KEY externid (externid(255), objectclass)"));
        table("objectproperty",
                cols("objectid int(11) unsigned NOT NULL DEFAULT 0",
                        "propname varchar(185) NOT NULL COLLATE utf8mb4_bin",
                        "value text NULL"),
                keys("PRIMARY KEY (objectid, propname)"));
        table("objectmvproperty",
                cols("objectid int(11) unsigned NOT NULL DEFAULT 0",
                        "propname varchar(185) NOT NULL COLLATE utf8mb4_bin",
                        "orderid tinyint(11) unsigned NOT NULL DEFAULT 0",
                        "value text NULL"),
                keys("PRIMARY KEY (objectid, orderid, propname)"));
        table("objectrelation",
                cols("objectid int(11) unsigned NOT NULL DEFAULT 0",
                        "parentobjectid int(11) unsigned NOT NULL DEFAULT 0",
                        "relationtype tinyint(11) unsigned NOT NULL"),
                keys("PRIMARY KEY (objectid, parentobjectid, relationtype)"));
    }

    @Test
    void exactlyTheTwentyFiveKopanoTablesExistAsInnoDbUtf8mb4() throws SQLException {
        Map<String, String> tables = new LinkedHashMap<>();
        try (Connection c = connect(DB); PreparedStatement ps = c.prepareStatement(
                "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_TYPE FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = ?")) {
            ps.setString(1, DB);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String charset = rs.getString(3).substring(0, rs.getString(3).indexOf('_'));
                    tables.put(rs.getString(1), rs.getString(5) + " " + rs.getString(2) + " " + charset
                            + (rs.getString(4).isEmpty() ? "" : " " + rs.getString(4)));
                }
            }
        }

        assertThat(tables).hasSize(25);
        assertThat(tables.keySet()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet())
                .containsExactlyInAnyOrderElementsOf(KopanoSchema.TABLES);
        // §1: engine InnoDB, charset utf8mb4; §1.1 lob: MAX_ROWS=1000000000 AVG_ROW_LENGTH=1750
        tables.forEach((name, options) -> assertThat(options).as(name).isEqualTo(name.equals("lob")
                ? "BASE TABLE InnoDB utf8mb4 max_rows=1000000000 avg_row_length=1750"
                : "BASE TABLE InnoDB utf8mb4"));
    }

    @Test
    void everyTableHasKopanosColumnsInOrder() throws SQLException {
        try (Connection c = connect(DB)) {
            for (Map.Entry<String, TableDef> e : EXPECTED.entrySet()) {
                assertThat(actualColumns(c, e.getKey())).as("columns of %s", e.getKey())
                        .containsExactlyElementsOf(e.getValue().columns());
            }
        }
    }

    @Test
    void everyTableHasKopanosKeys() throws SQLException {
        try (Connection c = connect(DB)) {
            for (Map.Entry<String, TableDef> e : EXPECTED.entrySet()) {
                assertThat(actualKeys(c, e.getKey())).as("keys of %s", e.getKey())
                        .containsExactlyInAnyOrderElementsOf(e.getValue().keys());
            }
        }
    }

    // ---------------------------------------------------------------- default rows (§1.2)

    @Test
    void defaultUsersStoreAndHierarchy() throws SQLException {
        try (Connection c = connect(DB)) {
            // Everyone 0x30002 DISTLIST_SECURITY, SYSTEM 0x10001 ACTIVE_USER, externid NULL
            assertThat(rows(c, "SELECT id, externid, objectclass, HEX(signature), company FROM users WHERE id IN (1, 2) ORDER BY id"))
                    .containsExactly("1|null|196610||0", "2|null|65537||0");
            assertThat(rows(c, "SELECT id, hierarchy_id, user_id, type, user_name, company, HEX(guid) FROM stores"))
                    .containsExactly("1|1|2|0|SYSTEM|0|8962FFEFFB7B4D639BC5967C4BB58234");
            assertThat(rows(c, "SELECT id, parent, type, flags, owner FROM hierarchy WHERE id IN (1, 2) ORDER BY id"))
                    .containsExactly("1|null|1|0|2", "2|1|3|0|2");
            assertThat(rows(c, "SELECT hierarchyid, tag, type, val_ulong, val_string, val_binary, val_double, val_longint,"
                    + " val_hi, val_lo, comp FROM properties WHERE hierarchyid IN (1, 2) ORDER BY hierarchyid, tag"))
                    .containsExactly("1|12289|30|null|Admin store|null|null|null|null|null|0",
                            "2|12289|30|null|root Admin store|null|null|null|null|null|0");
        }
    }

    @Test
    void defaultAclGivesEveryoneAndSystemTheOwnerRole() throws SQLException {
        try (Connection c = connect(DB)) {
            assertThat(rows(c, "SELECT id, hierarchy_id, type, rights FROM acl WHERE hierarchy_id IN (1, 2)"))
                    .containsExactlyInAnyOrder("1|1|2|1531", "1|2|2|1531", "2|1|2|1531", "2|2|2|1531");
        }
    }

    @Test
    void defaultEntryIdsAreTheHardCodedV0Ones() throws SQLException {
        try (Connection c = connect(DB)) {
            // §4.1 v0: abFlags | SYSTEM store GUID | version 0 | type | usFlags 0 | ulId | 4 zero bytes
            assertThat(rows(c, "SELECT hierarchyid, tag, LENGTH(val_binary), LOWER(HEX(val_binary)) FROM indexedproperties"
                    + " WHERE hierarchyid IN (1, 2) ORDER BY hierarchyid"))
                    .containsExactly(
                            "1|4095|36|00000000" + "8962ffeffb7b4d639bc5967c4bb58234" + "00000000" + "0100" + "0000" + "01000000" + "00000000",
                            "2|4095|36|00000000" + "8962ffeffb7b4d639bc5967c4bb58234" + "00000000" + "0300" + "0000" + "02000000" + "00000000");
        }
    }

    @Test
    void defaultSettings() throws SQLException {
        try (Connection c = connect(DB)) {
            assertThat(rows(c, "SELECT name, LOWER(HEX(value)) FROM settings ORDER BY name")).containsExactly(
                    "attachment_storage|" + hex("files_v2"),
                    "charset|" + hex("utf8mb4"),
                    "imapseq|" + hex("3"),
                    "server_guid|0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                    "source_key_auto_increment|0000000000000000");
        }
    }

    @Test
    void versionsHasTheCreationRowAndTheFirstStartRowAtSchemaRevision118() throws SQLException {
        try (Connection c = connect(DB)) {
            // CreateDatabase writes 11.0.0 (micro left out on an empty versions table); the first
            // start's UpdateDatabase then records the program version 11.0.2 (ECDatabaseMySQL.cpp)
            assertThat(rows(c, "SELECT major, minor, micro, revision, databaserevision,"
                    + " TIMESTAMPDIFF(SECOND, updatetime, NOW()) BETWEEN 0 AND 3600 FROM versions ORDER BY micro"))
                    .containsExactly("11|0|0|0|118|1", "11|0|2|0|118|1");
            // what GetDatabaseVersion reads: the highest version
            assertThat(rows(c, "SELECT major, minor, micro, revision, databaserevision FROM versions"
                    + " ORDER BY major DESC, minor DESC, micro DESC, revision DESC, databaserevision DESC LIMIT 1"))
                    .containsExactly("11|0|2|0|118");
        }
        assertThat(KopanoSchema.SCHEMA_REVISION).isEqualTo(118);
    }

    @Test
    void newObjectsGetIdsAfterTheDefaultRows() throws SQLException {
        String db = DB + "_ids";
        server.createDatabase(db);
        try (Connection c = connect(db)) {
            KopanoSchema.create(c, SERVER_GUID);
            assertThat(insertReturningId(c, "INSERT INTO hierarchy (parent, type, flags, owner) VALUES (2, 3, 1, 2)")).isEqualTo(3);
            assertThat(insertReturningId(c, "INSERT INTO users (externid, objectclass) VALUES (X'01', 65537)")).isEqualTo(3);
            assertThat(insertReturningId(c, "INSERT INTO stores (hierarchy_id, user_id, guid) VALUES (3, 3, X'00')")).isEqualTo(2);
        }
    }

    @Test
    void attachmentStorageIsWhatTheCallerChose() throws SQLException {
        server.createDatabase(DB + "_lob");
        try (Connection c = connect(DB + "_lob")) {
            KopanoSchema.create(c, SERVER_GUID, AttachmentStorage.Kind.DATABASE);
            assertThat(rows(c, "SELECT value FROM settings WHERE name = 'attachment_storage'")).containsExactly("database");
        }
        server.createDatabase(DB + "_files");
        try (Connection c = connect(DB + "_files")) {
            KopanoSchema.create(c, SERVER_GUID, "files_v1-10-20");
            assertThat(rows(c, "SELECT value FROM settings WHERE name = 'attachment_storage'")).containsExactly("files_v1-10-20");
        }
    }

    @Test
    void theDefaultServerGuidIsRandomAndTheDefaultStorageFilesV2() throws SQLException {
        server.createDatabase(DB + "_random1");
        server.createDatabase(DB + "_random2");
        try (Connection c1 = connect(DB + "_random1"); Connection c2 = connect(DB + "_random2")) {
            KopanoSchema.create(c1);
            KopanoSchema.create(c2);
            String guid1 = rows(c1, "SELECT LOWER(HEX(value)) FROM settings WHERE name = 'server_guid'").get(0);
            String guid2 = rows(c2, "SELECT LOWER(HEX(value)) FROM settings WHERE name = 'server_guid'").get(0);
            assertThat(guid1).hasSize(32).isNotEqualTo(guid2);
            assertThat(rows(c1, "SELECT value FROM settings WHERE name = 'attachment_storage'")).containsExactly("files_v2");
        }
    }

    @Test
    void refusesADatabaseThatAlreadyHasKopanoTablesAndKeepsTheSessionSqlMode() throws SQLException {
        try (Connection c = connect(DB)) {
            String before = rows(c, "SELECT @@SESSION.sql_mode").get(0);
            assertThatThrownBy(() -> KopanoSchema.create(c, SERVER_GUID))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("already has Kopano tables")
                    .hasMessageContaining("acl");
            assertThat(rows(c, "SELECT @@SESSION.sql_mode")).containsExactly(before);
        }
        server.createDatabase(DB + "_mode");
        try (Connection c = connect(DB + "_mode")) {
            String before = rows(c, "SELECT @@SESSION.sql_mode").get(0);
            KopanoSchema.create(c, SERVER_GUID);
            assertThat(rows(c, "SELECT @@SESSION.sql_mode")).containsExactly(before);
        }
    }

    // ---------------------------------------------------------------- procedures (§1.3)

    @Test
    void theFourProceduresExistWithKopanosParametersAndSqlMode() throws SQLException {
        try (Connection c = connect(DB)) {
            KopanoSchema.createProcedures(c); // re-creating them, as kopano-server does at every start
            assertThat(rows(c, "SELECT ROUTINE_NAME, ROUTINE_TYPE, IS_DETERMINISTIC, SQL_MODE FROM information_schema.ROUTINES"
                    + " WHERE ROUTINE_SCHEMA = '" + DB + "' ORDER BY ROUTINE_NAME"))
                    .containsExactly(
                            "GetBestBody|PROCEDURE|YES|NO_UNSIGNED_SUBTRACTION,STRICT_ALL_TABLES",
                            "GetProps|PROCEDURE|NO|NO_UNSIGNED_SUBTRACTION,STRICT_ALL_TABLES",
                            "PrepareGetProps|PROCEDURE|NO|NO_UNSIGNED_SUBTRACTION,STRICT_ALL_TABLES",
                            "StreamObj|PROCEDURE|NO|NO_UNSIGNED_SUBTRACTION,STRICT_ALL_TABLES");
            assertThat(rows(c, "SELECT SPECIFIC_NAME, PARAMETER_MODE, PARAMETER_NAME, DATA_TYPE FROM information_schema.PARAMETERS"
                    + " WHERE SPECIFIC_SCHEMA = '" + DB + "' ORDER BY SPECIFIC_NAME, ORDINAL_POSITION"))
                    .containsExactly(
                            "GetBestBody|IN|hid|int", "GetBestBody|OUT|bestbody|int",
                            "GetProps|IN|hid|int", "GetProps|IN|mode|int",
                            "PrepareGetProps|IN|hid|int",
                            "StreamObj|IN|rootid|int", "StreamObj|IN|maxdepth|int", "StreamObj|IN|mode|int");
        }
    }

    @Test
    void getPropsMode0ReturnsAllPropertiesResolvesNamesSkipsOrphansAndCollapsesMultiValues() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage m = TestMessage.insert(c, true, true);

            List<List<String>> sets = call(c, "CALL GetProps(" + m.id + ", 0)");

            assertThat(sets).hasSize(1);
            assertThat(sets.get(0)).containsExactlyInAnyOrder(m.expectedProps(true, true));
            // the id above 0x8500 without a names row is left out
            assertThat(sets.get(0)).noneMatch(r -> r.contains(" " + TestMessage.ORPHAN_NAMED_TAG + "/"));
        }
    }

    @Test
    void getPropsMode1KeepsOnlyTheBestBody() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage both = TestMessage.insert(c, true, true);
            TestMessage htmlOnly = TestMessage.insert(c, false, true);
            TestMessage plainOnly = TestMessage.insert(c, false, false);

            // RTF (4105) wins over HTML (4115)
            assertThat(call(c, "CALL GetProps(" + both.id + ", 1)").get(0))
                    .containsExactlyInAnyOrder(both.expectedProps(true, false));
            assertThat(call(c, "CALL GetProps(" + htmlOnly.id + ", 1)").get(0))
                    .containsExactlyInAnyOrder(htmlOnly.expectedProps(false, true));
            assertThat(call(c, "CALL GetProps(" + plainOnly.id + ", 1)").get(0))
                    .containsExactlyInAnyOrder(plainOnly.expectedProps(false, false));
        }
    }

    @Test
    void getPropsMode2OmitsRtfAndHtml() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage m = TestMessage.insert(c, true, true);

            List<String> props = call(c, "CALL GetProps(" + m.id + ", 2)").get(0);

            assertThat(props).containsExactlyInAnyOrder(m.expectedProps(false, false));
            assertThat(props).anyMatch(r -> r.startsWith("0 " + PR_BODY + "/"));
        }
    }

    @Test
    void getBestBodyPrefersRtfThenHtmlElseZero() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage both = TestMessage.insert(c, true, true);
            TestMessage htmlOnly = TestMessage.insert(c, false, true);
            TestMessage plainOnly = TestMessage.insert(c, false, false);

            assertThat(bestBody(c, both.id)).isEqualTo(PR_RTF_COMPRESSED);
            assertThat(bestBody(c, htmlOnly.id)).isEqualTo(PR_HTML);
            assertThat(bestBody(c, plainOnly.id)).isZero();
        }
    }

    @Test
    void prepareGetPropsReturnsTheDirectChildrenWithTheirIds() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage m = TestMessage.insert(c, true, true);

            List<List<String>> sets = call(c, "CALL PrepareGetProps(" + m.id + ")");

            assertThat(sets).hasSize(2);
            assertThat(sets.get(0)).containsExactlyInAnyOrder(
                    "0 " + PR_DISPLAY_NAME + "/30 val_string=Rcpt One @" + m.recipient,
                    "0 " + PR_RECIPIENT_TYPE + "/3 val_ulong=1 @" + m.recipient,
                    "0 " + PR_ATTACH_METHOD + "/3 val_ulong=5 @" + m.embeddedAttachment,
                    "0 " + PR_ATTACH_METHOD + "/3 val_ulong=1 @" + m.fileAttachment,
                    "0 " + PR_ATTACH_LONG_FILENAME + "/30 val_string=notes.txt @" + m.fileAttachment);
            // the embedded message is a grandchild: not in the list
            assertThat(sets.get(0)).noneMatch(r -> r.endsWith("@" + m.embedded));
            assertThat(sets.get(1)).containsExactly(
                    "1 " + TestMessage.MV_RECIPIENT_TAG + "/" + PT_MV_STRING8 + " val_string=3:one @" + m.recipient);
        }
    }

    @Test
    void prepareGetPropsGroupsMultiValuesOverAllChildrenLikeKopano() throws SQLException {
        try (Connection c = connect(DB)) {
            long message = insertObject(c, 2, 5);
            long first = insertObject(c, message, 6);
            long second = insertObject(c, message, 6);
            insertMv(c, first, 0x6F01, PT_MV_STRING8, 0, "a");
            insertMv(c, second, 0x6F01, PT_MV_STRING8, 0, "b");

            List<String> mv = call(c, "CALL PrepareGetProps(" + message + ")").get(1);

            // Kopano groups per (tag, type) only, so both children's elements share one row
            assertThat(mv).hasSize(1);
            assertThat(mv.get(0)).startsWith("2 " + 0x6F01 + "/" + PT_MV_STRING8 + " val_string=")
                    .endsWith(" @" + first);
        }
    }

    @Test
    void streamObjStreamsTheMessageItsChildrenAndTheEmbeddedMessage() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage m = TestMessage.insert(c, true, true);
            setRecursionDepth(c);

            List<List<String>> sets = call(c, "CALL StreamObj(" + m.id + ", 21, 0)");

            assertThat(sets).hasSize(10);
            assertThat(sets.get(0)).as("GetProps of the message").containsExactlyInAnyOrder(m.expectedProps(true, true));
            assertThat(sets.get(1)).as("single values of the children")
                    .hasSize(5)
                    .allMatch(r -> r.endsWith("@" + m.recipient) || r.endsWith("@" + m.embeddedAttachment)
                            || r.endsWith("@" + m.fileAttachment));
            assertThat(sets.get(2)).as("multi values of the children").hasSize(1);
            assertThat(sets.get(3)).as("child list").containsExactly(
                    m.recipient + "|6", m.embeddedAttachment + "|7", m.fileAttachment + "|7");
            assertThat(sets.get(4)).as("child of the first attachment").containsExactly(m.embedded + "|5");
            assertThat(sets.get(5)).as("GetProps of the embedded message")
                    .containsExactlyInAnyOrder("0 " + PR_SUBJECT + "/30 val_string=Embedded @0");
            assertThat(sets.get(6)).as("children of the embedded message")
                    .containsExactly("0 " + PR_DISPLAY_NAME + "/30 val_string=Inner Rcpt @" + m.embeddedRecipient);
            assertThat(sets.get(7)).as("multi values of the embedded message's children").isEmpty();
            assertThat(sets.get(8)).as("child list of the embedded message").containsExactly(m.embeddedRecipient + "|6");
            assertThat(sets.get(9)).as("the attachment by value has no embedded message").isEmpty();
        }
    }

    @Test
    void streamObjStopsAtMaxDepthAndPassesTheBodyMode() throws SQLException {
        try (Connection c = connect(DB)) {
            TestMessage m = TestMessage.insert(c, true, true);
            setRecursionDepth(c);

            List<List<String>> sets = call(c, "CALL StreamObj(" + m.id + ", 0, 2)");

            assertThat(sets).hasSize(6);
            assertThat(sets.get(0)).containsExactlyInAnyOrder(m.expectedProps(false, false));
            assertThat(sets.get(3)).containsExactly(m.recipient + "|6", m.embeddedAttachment + "|7", m.fileAttachment + "|7");
            // at maxdepth 0 each attachment gets an empty (id, type) set: "not recursing further"
            assertThat(sets.get(4)).isEmpty();
            assertThat(sets.get(5)).isEmpty();
        }
    }

    /**
     * A message under the SYSTEM store's root folder (§2.3) with a recipient, an attachment holding
     * an embedded message (which has a recipient of its own) and an attachment by value.
     */
    private record TestMessage(long id, long recipient, long embeddedAttachment, long embedded, long embeddedRecipient,
            long fileAttachment, int namedTag, boolean rtf, boolean html) {
        /** 0x9000: above 0x8500 and without a names row (names ids in this test stay far below 2815). */
        static final int ORPHAN_NAMED_TAG = 0x9000;
        /** 0x8005: a fixed client-side named id (§3.6b) that needs no names row. */
        static final int FIXED_NAMED_TAG = 0x8005;
        static final int MV_STRING_TAG = 0x6F10;
        static final int MV_LONG_TAG = 0x6F11;
        static final int MV_RECIPIENT_TAG = 0x6F12;
        static final String SUBJECT = "Schema test \u2713 \uD83D\uDCE7"; // 4-byte UTF-8 needs utf8mb4

        static TestMessage insert(Connection c, boolean rtf, boolean html) throws SQLException {
            long id = insertObject(c, 2, 5);
            insertProp(c, id, PR_SUBJECT, PT_STRING8, "val_string", SUBJECT);
            insertProp(c, id, PR_MESSAGE_FLAGS, PT_LONG, "val_ulong", 1);
            insertProp(c, id, PR_SEARCH_KEY, PT_BINARY, "val_binary", HEX.parseHex("00ff10"));
            insertProp(c, id, PR_BODY, PT_STRING8, "val_string", "plain body");
            if (rtf) {
                insertProp(c, id, PR_RTF_COMPRESSED, PT_BINARY, "val_binary", HEX.parseHex("0102"));
            }
            if (html) {
                insertProp(c, id, PR_HTML, PT_BINARY, "val_binary", HEX.parseHex("3c703e"));
            }
            // §3.6a: a server-assigned named property, tag = names.id + 34049
            long namesId = insertReturningId(c, "INSERT INTO names (nameid, namestring, guid) VALUES (NULL, 'kbr-test-"
                    + id + "', X'" + PS_PUBLIC_STRINGS_DCE + "')");
            int namedTag = (int) namesId + 34049;
            insertProp(c, id, namedTag, PT_STRING8, "val_string", "named value");
            insertProp(c, id, ORPHAN_NAMED_TAG, PT_STRING8, "val_string", "orphan");
            insertProp(c, id, FIXED_NAMED_TAG, PT_LONG, "val_ulong", 7);
            // MV elements written out of order: the result must follow orderid
            insertMv(c, id, MV_STRING_TAG, PT_MV_STRING8, 1, "\u03b2eta");
            insertMv(c, id, MV_STRING_TAG, PT_MV_STRING8, 0, "alpha");
            insertMv(c, id, MV_LONG_TAG, PT_MV_LONG, 0, 7L);
            insertMv(c, id, MV_LONG_TAG, PT_MV_LONG, 1, 300L);

            long recipient = insertObject(c, id, 6);
            insertProp(c, recipient, PR_DISPLAY_NAME, PT_STRING8, "val_string", "Rcpt One");
            insertProp(c, recipient, PR_RECIPIENT_TYPE, PT_LONG, "val_ulong", 1);
            insertMv(c, recipient, MV_RECIPIENT_TAG, PT_MV_STRING8, 0, "one");

            long embeddedAttachment = insertObject(c, id, 7);
            insertProp(c, embeddedAttachment, PR_ATTACH_METHOD, PT_LONG, "val_ulong", 5);
            long embedded = insertObject(c, embeddedAttachment, 5);
            insertProp(c, embedded, PR_SUBJECT, PT_STRING8, "val_string", "Embedded");
            long embeddedRecipient = insertObject(c, embedded, 6);
            insertProp(c, embeddedRecipient, PR_DISPLAY_NAME, PT_STRING8, "val_string", "Inner Rcpt");

            long fileAttachment = insertObject(c, id, 7);
            insertProp(c, fileAttachment, PR_ATTACH_METHOD, PT_LONG, "val_ulong", 1);
            insertProp(c, fileAttachment, PR_ATTACH_LONG_FILENAME, PT_STRING8, "val_string", "notes.txt");
            return new TestMessage(id, recipient, embeddedAttachment, embedded, embeddedRecipient, fileAttachment,
                    namedTag, rtf, html);
        }

        /** GetProps rows of this message, keeping RTF/HTML only where asked (and present). */
        String[] expectedProps(boolean withRtf, boolean withHtml) {
            List<String> rows = new ArrayList<>(List.of(
                    "0 " + PR_SUBJECT + "/30 val_string=" + SUBJECT + " @0",
                    "0 " + PR_MESSAGE_FLAGS + "/3 val_ulong=1 @0",
                    "0 " + PR_SEARCH_KEY + "/258 val_binary=00ff10 @0",
                    "0 " + PR_BODY + "/30 val_string=plain body @0",
                    "0 " + namedTag + "/30 val_string=named value @0 name=" + PS_PUBLIC_STRINGS_DCE + ":kbr-test-" + id,
                    "0 " + FIXED_NAMED_TAG + "/3 val_ulong=7 @0",
                    // "<byte length>:<value>" per element in orderid order; beta starts with a 2-byte letter
                    "2 " + MV_STRING_TAG + "/" + PT_MV_STRING8 + " val_string=5:alpha5:\u03b2eta @0",
                    "2 " + MV_LONG_TAG + "/" + PT_MV_LONG + " val_ulong=1:73:300 @0"));
            if (withRtf && rtf) {
                rows.add("0 " + PR_RTF_COMPRESSED + "/258 val_binary=0102 @0");
            }
            if (withHtml && html) {
                rows.add("0 " + PR_HTML + "/258 val_binary=3c703e @0");
            }
            return rows.toArray(String[]::new);
        }
    }

    // ---------------------------------------------------------------- helpers

    private record TableDef(List<String> columns, List<String> keys) {
    }

    private static void table(String name, List<String> columns, List<String> keys) {
        EXPECTED.put(name, new TableDef(columns, keys));
    }

    private static List<String> cols(String... columns) {
        return List.of(columns);
    }

    private static List<String> keys(String... keys) {
        return List.of(keys);
    }

    private static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(db), server.rootUser(), server.rootPassword());
    }

    private static List<String> actualColumns(Connection c, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
                + " CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, DB);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder col = new StringBuilder(rs.getString(1)).append(' ').append(rs.getString(2));
                    col.append("YES".equals(rs.getString(3)) ? " NULL" : " NOT NULL");
                    String dflt = rs.getString(4); // MariaDB: NULL or 'NULL' mean no default value
                    if (dflt != null && !dflt.equals("NULL")) {
                        col.append(" DEFAULT ").append(dflt);
                    }
                    if (rs.getString(5).contains("auto_increment")) {
                        col.append(" AUTO_INCREMENT");
                    }
                    String charset = rs.getString(6);
                    String collation = rs.getString(7);
                    if (collation != null && collation.endsWith("_bin")) {
                        col.append(" COLLATE ").append(collation);
                    } else if (charset != null && !charset.equals("utf8mb4")) {
                        col.append(" CHARSET ").append(charset);
                    }
                    columns.add(col.toString());
                }
            }
        }
        return columns;
    }

    private static List<String> actualKeys(Connection c, String table) throws SQLException {
        Map<String, StringJoiner> columns = new LinkedHashMap<>();
        Map<String, Boolean> unique = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART"
                + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                + " ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, DB);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String index = rs.getString(1);
                    unique.put(index, rs.getInt(2) == 0);
                    String column = rs.getString(3) + (rs.getObject(4) == null ? "" : "(" + rs.getInt(4) + ")");
                    columns.computeIfAbsent(index, k -> new StringJoiner(", ", "(", ")")).add(column);
                }
            }
        }
        List<String> keys = new ArrayList<>();
        columns.forEach((index, cols) -> keys.add(index.equals("PRIMARY") ? "PRIMARY KEY " + cols
                : (unique.get(index) ? "UNIQUE KEY " : "KEY ") + index + " " + cols));
        return keys;
    }

    /** Each row as its columns joined with '|'; SQL NULL as "null". */
    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringJoiner row = new StringJoiner("|");
                for (int i = 1; i <= n; i++) {
                    row.add(String.valueOf(rs.getString(i)));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /**
     * Runs a CALL and returns every result set. Sets with the 14 property columns of §1.3 become
     * {@code "<mvcount> <tag>/<type> <val_x>=<value> @<childid> [name=<guid hex>:<nameid|namestring>]"}
     * (binary values as hex); other sets become '|'-joined rows.
     */
    private static List<List<String>> call(Connection c, String sql) throws SQLException {
        List<List<String>> sets = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            boolean isResultSet = st.execute(sql);
            while (isResultSet || st.getUpdateCount() != -1) {
                if (isResultSet) {
                    try (ResultSet rs = st.getResultSet()) {
                        sets.add(rs.getMetaData().getColumnCount() == 14 ? propertyRows(rs) : plainRows(rs));
                    }
                }
                isResultSet = st.getMoreResults();
            }
        }
        return sets;
    }

    private static List<String> propertyRows(ResultSet rs) throws SQLException {
        String[] valueColumns = {"val_ulong", "val_string", "val_binary", "val_double", "val_longint", "val_hi", "val_lo"};
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            row.append(rs.getLong(1)).append(' ').append(rs.getInt(2)).append('/').append(rs.getInt(3));
            for (int i = 0; i < valueColumns.length; i++) {
                int col = 4 + i;
                if (rs.getObject(col) == null) {
                    continue;
                }
                String value = valueColumns[i].equals("val_binary") ? HEX.formatHex(rs.getBytes(col)) : rs.getString(col);
                row.append(' ').append(valueColumns[i]).append('=').append(value);
            }
            row.append(" @").append(rs.getLong(11));
            byte[] guid = rs.getBytes(14);
            if (guid != null) {
                row.append(" name=").append(HEX.formatHex(guid)).append(':')
                        .append(rs.getObject(12) != null ? rs.getString(12) : rs.getString(13));
            }
            rows.add(row.toString());
        }
        return rows;
    }

    private static List<String> plainRows(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringJoiner row = new StringJoiner("|");
            for (int i = 1; i <= n; i++) {
                row.add(String.valueOf(rs.getString(i)));
            }
            rows.add(row.toString());
        }
        return rows;
    }

    private static int bestBody(Connection c, long hierarchyId) throws SQLException {
        try (CallableStatement call = c.prepareCall("{CALL GetBestBody(?, ?)}")) {
            call.setLong(1, hierarchyId);
            call.registerOutParameter(2, Types.INTEGER);
            call.execute();
            return call.getInt(2);
        }
    }

    /** StreamObj calls itself for embedded messages; kopano-server allows 255 levels per session. */
    private static void setRecursionDepth(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION max_sp_recursion_depth = 255");
        }
    }

    private static long insertObject(Connection c, long parent, int type) throws SQLException {
        return insertReturningId(c, "INSERT INTO hierarchy (parent, type, flags, owner) VALUES (" + parent + ", " + type + ", 0, 2)");
    }

    private static long insertReturningId(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS);
            try (ResultSet keys = st.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void insertProp(Connection c, long hierarchyId, int tag, int type, String column, Object value)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO properties (hierarchyid, tag, type, " + column + ") VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, hierarchyId);
            ps.setInt(2, tag);
            ps.setInt(3, type);
            ps.setObject(4, value);
            ps.executeUpdate();
        }
    }

    private static void insertMv(Connection c, long hierarchyId, int tag, int type, int orderId, Object value)
            throws SQLException {
        String column = value instanceof String ? "val_string" : "val_ulong";
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO mvproperties (hierarchyid, orderid, tag, type, " + column + ") VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, hierarchyId);
            ps.setInt(2, orderId);
            ps.setInt(3, tag);
            ps.setInt(4, type);
            ps.setObject(5, value);
            ps.executeUpdate();
        }
    }

    private static String hex(String ascii) {
        return HEX.formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
