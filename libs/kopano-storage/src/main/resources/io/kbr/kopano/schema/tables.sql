-- The 25 tables of a Kopano 11 database at schema revision 118 (KOPANO-STORAGE.md §1).
-- Column types, nullability, defaults and keys follow Kopano's ECDBDef.h (Z_TABLEDEF_*); the
-- creation order is that of kcsrv_tables[] in ECDatabaseMySQL.cpp. Every table is InnoDB with
-- charset utf8mb4 (§1: the engine is mysql_engine, default InnoDB; charset utf8mb4 first).
-- Executed by KopanoSchema one statement at a time; also runs as is in the mariadb client.

-- §1.1 acl: id is the users.id of the grantee (signed, unlike most ids); type 1 deny, 2 grant.
CREATE TABLE acl (
  id           INT(11)             NOT NULL DEFAULT 0,
  hierarchy_id INT(11)    UNSIGNED NOT NULL DEFAULT 0,
  type         TINYINT(4) UNSIGNED NOT NULL DEFAULT 0,
  rights       INT(11)    UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (hierarchy_id, id, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 hierarchy: the object tree; parent is NULL only for store rows (§2.3).
CREATE TABLE hierarchy (
  id     INT(11)     UNSIGNED NOT NULL AUTO_INCREMENT,
  parent INT(11)     UNSIGNED NULL DEFAULT 0,
  type   TINYINT(4)  UNSIGNED NOT NULL DEFAULT 0,
  flags  SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  owner  INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY parenttypeflags (parent, type, flags)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §3.6 names: server-assigned named properties, property id = names.id + 0x8501.
-- namestring is case-sensitive (Kopano declares it BINARY, i.e. the _bin collation).
CREATE TABLE names (
  id         INT(11)      NOT NULL AUTO_INCREMENT,
  nameid     INT(11)      NULL DEFAULT NULL,
  namestring VARCHAR(185) COLLATE utf8mb4_bin NULL DEFAULT NULL,
  guid       BINARY(16)   NOT NULL,
  PRIMARY KEY (id),
  KEY nameid (nameid),
  KEY namestring (namestring),
  UNIQUE KEY gni (guid, nameid),
  UNIQUE KEY gns (guid, namestring)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §3.4 mvproperties: one row per element; type includes the 0x1000 MV flag.
CREATE TABLE mvproperties (
  hierarchyid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  orderid     SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  tag         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  type        SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  val_ulong   INT(11)     UNSIGNED NULL DEFAULT NULL,
  val_string  LONGTEXT,
  val_binary  LONGBLOB,
  val_double  DOUBLE      NULL DEFAULT NULL,
  val_longint BIGINT(20)  NULL DEFAULT NULL,
  val_hi      INT(11)     NULL DEFAULT NULL,
  val_lo      INT(11)     UNSIGNED NULL DEFAULT NULL,
  PRIMARY KEY (hierarchyid, tag, type, orderid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §3.5 tproperties: the table-view cache keyed by parent folder. The primary key column
-- order (folderid, tag, hierarchyid, type) is checked by kopano-server at startup.
-- Kopano calls the primary key "ht"; MySQL names every primary key PRIMARY.
CREATE TABLE tproperties (
  folderid    INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  hierarchyid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  tag         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  type        SMALLINT(6) UNSIGNED NOT NULL,
  val_ulong   INT(11)     UNSIGNED NULL DEFAULT NULL,
  val_string  LONGTEXT,
  val_binary  LONGBLOB,
  val_double  DOUBLE      NULL DEFAULT NULL,
  val_longint BIGINT(20)  NULL DEFAULT NULL,
  val_hi      INT(11)     NULL DEFAULT NULL,
  val_lo      INT(11)     UNSIGNED NULL DEFAULT NULL,
  PRIMARY KEY (folderid, tag, hierarchyid, type),
  KEY hi (hierarchyid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 properties: single-valued properties; comp exists but is never used (treat as false).
CREATE TABLE properties (
  hierarchyid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  tag         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  type        SMALLINT(6) UNSIGNED NOT NULL,
  val_ulong   INT(11)     UNSIGNED NULL DEFAULT NULL,
  val_string  LONGTEXT,
  val_binary  LONGBLOB,
  val_double  DOUBLE      NULL DEFAULT NULL,
  val_longint BIGINT(20)  NULL DEFAULT NULL,
  val_hi      INT(11)     NULL DEFAULT NULL,
  val_lo      INT(11)     UNSIGNED NULL DEFAULT NULL,
  comp        BOOL        NULL DEFAULT FALSE,
  PRIMARY KEY (hierarchyid, tag, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §3.5 deferredupdate: objects whose tproperties rows are stale.
CREATE TABLE deferredupdate (
  hierarchyid INT(11) UNSIGNED NOT NULL,
  folderid    INT(11) UNSIGNED NOT NULL,
  srcfolderid INT(11) UNSIGNED NULL,
  PRIMARY KEY (hierarchyid),
  KEY folderid (folderid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 receivefolder: message class -> receive folder, per store.
CREATE TABLE receivefolder (
  id           INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  storeid      INT(11) UNSIGNED NOT NULL DEFAULT 0,
  objid        INT(11) UNSIGNED NOT NULL DEFAULT 0,
  messageclass VARCHAR(185)     NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY storeid (storeid, messageclass)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §8.1 stores. user_name is 3-byte UTF-8: Kopano writes "CHARACTER SET utf8", which
-- MariaDB and MySQL read as utf8mb3; spelled out so that no server setting can turn it into utf8mb4.
CREATE TABLE stores (
  id           INT(11)     UNSIGNED NOT NULL AUTO_INCREMENT,
  hierarchy_id INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  user_id      INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  type         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  user_name    VARCHAR(255) CHARACTER SET utf8mb3 NOT NULL DEFAULT '',
  company      INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  guid         BLOB        NOT NULL,
  PRIMARY KEY (user_id, hierarchy_id, type),
  UNIQUE KEY id (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 users: server-local user ids; externid comes from the user plugin.
CREATE TABLE users (
  id          INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  externid    BLOB,
  objectclass INT(11)          NOT NULL DEFAULT 0,
  signature   VARBINARY(255)   NOT NULL DEFAULT '0',
  company     INT(11) UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY externid (externid(255), objectclass)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 outgoingqueue: messages waiting to be sent (never restored).
CREATE TABLE outgoingqueue (
  store_id     INT(11)    UNSIGNED NOT NULL DEFAULT 0,
  hierarchy_id INT(11)    UNSIGNED NOT NULL DEFAULT 0,
  flags        TINYINT(4) UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (hierarchy_id, flags, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §7.3 lob: attachment chunks for attachment_storage = database, with Kopano's size hints.
CREATE TABLE lob (
  instanceid INT(11)     UNSIGNED NOT NULL,
  chunkid    SMALLINT(6) UNSIGNED NOT NULL,
  tag        SMALLINT(6) UNSIGNED NOT NULL,
  val_binary LONGBLOB,
  PRIMARY KEY (instanceid, tag, chunkid)
) ENGINE=InnoDB MAX_ROWS=1000000000 AVG_ROW_LENGTH=1750 DEFAULT CHARSET=utf8mb4;

-- §1.1 searchresults: persisted search-folder results.
CREATE TABLE searchresults (
  folderid    INT(11) UNSIGNED NOT NULL DEFAULT 0,
  hierarchyid INT(11) UNSIGNED NOT NULL DEFAULT 0,
  flags       INT(11) UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (folderid, hierarchyid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §5 changes: the ICS journal; rows are REPLACEd per (parent, item, change type).
CREATE TABLE changes (
  id              INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  sourcekey       VARBINARY(64)    NOT NULL,
  parentsourcekey VARBINARY(64)    NOT NULL,
  change_type     INT(11) UNSIGNED NOT NULL DEFAULT 0,
  flags           INT(11) UNSIGNED NULL DEFAULT NULL,
  sourcesync      INT(11) UNSIGNED NULL DEFAULT NULL,
  PRIMARY KEY (parentsourcekey, sourcekey, change_type),
  UNIQUE KEY changeid (id),
  UNIQUE KEY state (parentsourcekey, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 syncs: state of ICS clients; sync_type may be NULL.
CREATE TABLE syncs (
  id              INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  sourcekey       VARBINARY(64)    NOT NULL,
  change_id       INT(11) UNSIGNED NOT NULL,
  sync_type       INT(11) UNSIGNED NULL,
  sync_time       DATETIME         NOT NULL,
  PRIMARY KEY (id),
  KEY foldersync (sourcekey, sync_type),
  KEY changes (change_id),
  KEY sync_time (sync_time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 versions: one row per creation/upgrade; the primary key is the whole version tuple.
CREATE TABLE versions (
  major            INT(11) UNSIGNED NOT NULL DEFAULT 0,
  minor            INT(11) UNSIGNED NOT NULL DEFAULT 0,
  micro            INT(11) UNSIGNED NOT NULL DEFAULT 0,
  revision         INT(11) UNSIGNED NOT NULL DEFAULT 0,
  databaserevision INT(11) UNSIGNED NOT NULL DEFAULT 0,
  updatetime       DATETIME         NOT NULL,
  PRIMARY KEY (major, minor, micro, revision, databaserevision)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §4 indexedproperties: PR_ENTRYID (4095) and PR_SOURCE_KEY (26080), unique per value.
CREATE TABLE indexedproperties (
  hierarchyid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  tag         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  val_binary  VARBINARY(255) NULL,
  PRIMARY KEY (hierarchyid, tag),
  UNIQUE KEY bin (tag, val_binary)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 settings: server-wide values (server_guid, source_key_auto_increment, imapseq, ...).
CREATE TABLE settings (
  name  VARCHAR(185) COLLATE utf8mb4_bin NOT NULL,
  value BLOB         NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 plugin tables (user_plugin = db or unix): object, objectproperty, objectmvproperty,
-- objectrelation. Kopano leaves most of their columns undocumented; this follows ECDBDef.h.
CREATE TABLE object (
  id          INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  externid    BLOB,
  objectclass INT(11) UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (id, objectclass),
  UNIQUE KEY id (id),
  UNIQUE KEY externid (externid(255), objectclass)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE objectproperty (
  objectid INT(11) UNSIGNED NOT NULL DEFAULT 0,
  propname VARCHAR(185) COLLATE utf8mb4_bin NOT NULL,
  value    TEXT,
  PRIMARY KEY (objectid, propname)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE objectmvproperty (
  objectid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  propname VARCHAR(185) COLLATE utf8mb4_bin NOT NULL,
  orderid  TINYINT(11) UNSIGNED NOT NULL DEFAULT 0,
  value    TEXT,
  PRIMARY KEY (objectid, orderid, propname)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE objectrelation (
  objectid       INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  parentobjectid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  relationtype   TINYINT(11) UNSIGNED NOT NULL,
  PRIMARY KEY (objectid, parentobjectid, relationtype)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 / §7.2 singleinstances: one row per stored blob (14081 attachment data, 26508 raw MIME);
-- filename is used by files_v2 only.
CREATE TABLE singleinstances (
  instanceid  INT(11)     UNSIGNED NOT NULL AUTO_INCREMENT,
  hierarchyid INT(11)     UNSIGNED NOT NULL DEFAULT 0,
  tag         SMALLINT(6) UNSIGNED NOT NULL DEFAULT 0,
  filename    VARCHAR(255) NULL DEFAULT NULL,
  PRIMARY KEY (instanceid, hierarchyid, tag),
  UNIQUE KEY hkey (hierarchyid, tag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 abchanges: the address-book change journal (not per mailbox).
CREATE TABLE abchanges (
  id              INT(11) UNSIGNED NOT NULL AUTO_INCREMENT,
  sourcekey       VARBINARY(255)   NOT NULL,
  parentsourcekey VARBINARY(255)   NOT NULL,
  change_type     INT(11) UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (parentsourcekey, change_type, sourcekey),
  UNIQUE KEY changeid (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- §1.1 syncedmessages: the message set held by a restricted ICS sync.
CREATE TABLE syncedmessages (
  sync_id         INT(11) UNSIGNED NOT NULL,
  change_id       INT(11) UNSIGNED NOT NULL,
  sourcekey       VARBINARY(64)    NOT NULL,
  parentsourcekey VARBINARY(64)    NOT NULL,
  PRIMARY KEY (sync_id, change_id, sourcekey),
  KEY sync_state (sync_id, change_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
