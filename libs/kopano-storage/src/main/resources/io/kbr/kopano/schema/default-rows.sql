-- The fixed rows of a new Kopano database (KOPANO-STORAGE.md §1.2, Kopano's Z_TABLEDATA_*).
-- The rows that depend on the installation (settings charset/server_guid/attachment_storage and
-- the versions row) are written by KopanoSchema itself.

-- §1.2 users: 1 = Everyone (0x30002 DISTLIST_SECURITY), 2 = SYSTEM (0x10001 ACTIVE_USER).
INSERT INTO users (id, externid, objectclass, signature, company) VALUES
  (1, NULL, 196610, '', 0),
  (2, NULL, 65537, '', 0);

-- §1.2 stores: the SYSTEM (admin) store, owned by user 2, with Kopano's fixed store GUID.
INSERT INTO stores (id, hierarchy_id, user_id, type, user_name, company, guid) VALUES
  (1, 1, 2, 0, 'SYSTEM', 0, X'8962ffeffb7b4d639bc5967c4bb58234');

-- §1.2 hierarchy: the SYSTEM store object (type 1, no parent) and its root folder (type 3).
INSERT INTO hierarchy (id, parent, type, flags, owner) VALUES
  (1, NULL, 1, 0, 2),
  (2, 1, 3, 0, 2);

-- §1.2 properties: PR_DISPLAY_NAME (tag 12289, type 30) of both objects.
INSERT INTO properties (hierarchyid, tag, type, val_string, comp) VALUES
  (1, 12289, 30, 'Admin store', FALSE),
  (2, 12289, 30, 'root Admin store', FALSE);

-- §1.2 acl: Everyone and SYSTEM are granted (type 2) the owner role, 1531 = 0x5FB, on both objects.
INSERT INTO acl (id, hierarchy_id, type, rights) VALUES
  (2, 2, 2, 1531),
  (2, 1, 2, 1531),
  (1, 1, 2, 1531),
  (1, 2, 2, 1531);

-- §1.2 / §4.2 / §4.3 settings: the sourcekey counter (8 bytes little-endian, zero), the IMAP
-- sequence, and the charset placeholder that KopanoSchema overwrites with the charset used.
INSERT INTO settings (name, value) VALUES
  ('source_key_auto_increment', X'0000000000000000'),
  ('imapseq', '3'),
  ('charset', 'unset');

-- §1.2 / §4.1 indexedproperties: hard-coded 36-byte v0 PR_ENTRYIDs (tag 4095):
-- abFlags 0 | store GUID | version 0 | type (1 store, 3 folder) | usFlags 0 | ulId | 4 zero bytes.
INSERT INTO indexedproperties (hierarchyid, tag, val_binary) VALUES
  (1, 4095, X'000000008962ffeffb7b4d639bc5967c4bb5823400000000010000000100000000000000'),
  (2, 4095, X'000000008962ffeffb7b4d639bc5967c4bb5823400000000030000000200000000000000');
