--liquibase formatted sql

-- The catalog: what the backup holds of every Kopano store, fed by kbr.changes (ARCHITECTURE.md, Catalog).
--
-- Conventions
--   * Times are epoch milliseconds (BIGINT, UTC), as the events carry them: no time-zone conversion anywhere.
--   * GUIDs and sourcekeys are the raw bytes (BINARY/VARBINARY); the API shows them as lower-case hex.
--   * Every table that holds a catalog object keeps the (journal id, observed-at, event id) of the event that
--     produced its current state. An event changes the current state only if its triple is greater, so a
--     re-delivered or late event never overwrites newer state (see ChangeApplier).
--   * Text columns are utf8mb4 with a case-insensitive collation: searches are case-insensitive.

--changeset kbr:001-stores
--comment: one row per Kopano store; created by the first event of the store, described by its StoreChange
CREATE TABLE stores (
    store_guid          BINARY(16)    NOT NULL COMMENT 'stores.guid of the Kopano server; the Kafka key of its events',
    server_id           VARCHAR(255)  NOT NULL COMMENT 'the Kopano server (backup-agent) that reported the store',
    user_name           VARCHAR(255)  NULL     COMMENT 'owner login name, from the StoreChange',
    store_type          INT           NULL     COMMENT 'Kopano store type (0 private, 1 public, 2 archive), from the StoreChange',
    metadata_sha256     CHAR(64)      NULL     COMMENT 'blob of the StoreMetadataDocument (rules, ACLs, delegates, settings)',
    metadata_size       BIGINT        NULL     COMMENT 'plaintext size of that blob',
    last_journal_id     BIGINT        NULL     COMMENT 'ordering triple of the StoreChange that set user_name..metadata_size',
    last_observed_at    BIGINT        NULL,
    last_event_id       VARCHAR(255)  NULL,
    events_applied      BIGINT        NOT NULL DEFAULT 0 COMMENT 'distinct events of this store recorded (duplicates not counted)',
    max_journal_id      BIGINT        NOT NULL DEFAULT 0 COMMENT 'highest journal id of any event of this store: how far the catalog got',
    max_observed_at     BIGINT        NOT NULL DEFAULT 0 COMMENT 'latest observed-at of any event of this store',
    last_applied_at     BIGINT        NOT NULL DEFAULT 0 COMMENT 'when the catalog last recorded an event of this store',
    PRIMARY KEY (store_guid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Kopano stores known to the catalog';

--changeset kbr:001-applied-events
--comment: every distinct event id ever recorded; the idempotency check of the consumer
CREATE TABLE applied_events (
    event_id      VARCHAR(255)  NOT NULL COMMENT 'ChangeEvent.eventId: the same change observed twice has the same id',
    store_guid    BINARY(16)    NOT NULL,
    kind          VARCHAR(8)    NOT NULL COMMENT 'item, folder or store',
    journal_id    BIGINT        NOT NULL,
    observed_at   BIGINT        NOT NULL,
    applied_at    BIGINT        NOT NULL COMMENT 'when this catalog recorded it',
    PRIMARY KEY (event_id),
    KEY ix_applied_events_store (store_guid, journal_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='Event ids already recorded: a repeat is skipped as a whole';

--changeset kbr:001-folders
--comment: current state of every folder; soft- and hard-deleted folders stay (restores need their names and places)
CREATE TABLE folders (
    store_guid          BINARY(16)      NOT NULL,
    source_key          VARBINARY(255)  NOT NULL COMMENT 'PR_SOURCE_KEY of the folder',
    parent_source_key   VARBINARY(255)  NULL     COMMENT 'sourcekey of the parent folder; NULL for the store root',
    hierarchy_id        BIGINT          NOT NULL COMMENT 'hierarchy.id on the Kopano server (server-local)',
    display_name        VARCHAR(512)    NULL,
    container_class     VARCHAR(255)    NULL     COMMENT 'IPF.Note, IPF.Appointment, ...',
    folder_type         INT             NOT NULL DEFAULT 1 COMMENT '0 root, 1 generic, 2 search',
    soft_deleted        BOOLEAN         NOT NULL DEFAULT FALSE,
    deleted_at          BIGINT          NULL     COMMENT 'when the catalog saw it soft-deleted',
    hard_deleted_at     BIGINT          NULL     COMMENT 'when the catalog saw it hard-deleted',
    last_journal_id     BIGINT          NOT NULL COMMENT 'ordering triple of the event that set the current state',
    last_observed_at    BIGINT          NOT NULL,
    last_event_id       VARCHAR(255)    NOT NULL,
    PRIMARY KEY (store_guid, source_key),
    KEY ix_folders_parent (store_guid, parent_source_key),
    CONSTRAINT fk_folders_store FOREIGN KEY (store_guid) REFERENCES stores (store_guid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Folders, current state';

--changeset kbr:001-items
--comment: current state of every item (message, FAI, contact, ...); hard-deleted items stay for brick-level restores
-- The primary key is the surrogate id rather than (store_guid, source_key): InnoDB appends the primary key to every
-- secondary index, so (store_guid, delivery_time) is really (store_guid, delivery_time, id) and the keyset order
-- "delivery_time DESC, id DESC" is read straight from an index. (store_guid, source_key) is the unique natural key.
CREATE TABLE items (
    id                   BIGINT          NOT NULL AUTO_INCREMENT COMMENT 'surrogate key: keyset paging and references',
    store_guid           BINARY(16)      NOT NULL,
    source_key           VARBINARY(255)  NOT NULL COMMENT 'PR_SOURCE_KEY: identifies the item within its store',
    folder_source_key    VARBINARY(255)  NOT NULL COMMENT 'sourcekey of the folder the item is in (may be unknown to folders)',
    previous_source_key  VARBINARY(255)  NULL     COMMENT 'sourcekey before a move that changed it (KOPANO-STORAGE.md 5.5, pitfall 4)',
    hierarchy_id         BIGINT          NOT NULL COMMENT 'hierarchy.id on the Kopano server',
    message_class        VARCHAR(255)    NULL,
    subject              TEXT            NULL,
    sender_name          VARCHAR(512)    NULL,
    sender_email         VARCHAR(320)    NULL,
    delivery_time        BIGINT          NOT NULL DEFAULT 0 COMMENT 'delivery (or submit) time; 0 when the item has none, so ordering needs no NULL handling',
    last_modified        BIGINT          NULL,
    size                 BIGINT          NOT NULL DEFAULT 0 COMMENT 'PR_MESSAGE_SIZE in bytes',
    associated           BOOLEAN         NOT NULL DEFAULT FALSE COMMENT 'folder-associated information (FAI)',
    attachment_names     MEDIUMTEXT      NULL     COMMENT 'JSON array of attachment file names',
    soft_deleted         BOOLEAN         NOT NULL DEFAULT FALSE,
    deleted_at           BIGINT          NULL     COMMENT 'PR_DELETED_ON of a soft delete (or when the catalog saw it)',
    hard_deleted_at      BIGINT          NULL     COMMENT 'when the item was hard-deleted (purged) on the server; its last state stays here',
    document_sha256      CHAR(64)        NULL     COMMENT 'blob of the ItemDocument of the current version',
    document_size        BIGINT          NULL,
    last_journal_id      BIGINT          NOT NULL COMMENT 'ordering triple of the event that set the current state',
    last_observed_at     BIGINT          NOT NULL,
    last_event_id        VARCHAR(255)    NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_items_source_key (store_guid, source_key),
    KEY ix_items_store_sender_time (store_guid, sender_email, delivery_time),
    KEY ix_items_store_folder_time (store_guid, folder_source_key, delivery_time),
    KEY ix_items_store_time (store_guid, delivery_time),
    KEY ix_items_time (delivery_time),
    CONSTRAINT fk_items_store FOREIGN KEY (store_guid) REFERENCES stores (store_guid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Items, current state';

--changeset kbr:001-item-recipients
--comment: recipients of the current state of an item, replaced whenever the current state changes
CREATE TABLE item_recipients (
    id        BIGINT        NOT NULL AUTO_INCREMENT,
    item_id   BIGINT        NOT NULL,
    kind      INT           NOT NULL COMMENT 'PR_RECIPIENT_TYPE: 1 To, 2 Cc, 3 Bcc',
    name      VARCHAR(512)  NULL,
    email     VARCHAR(320)  NULL,
    PRIMARY KEY (id),
    KEY ix_item_recipients_item (item_id),
    KEY ix_item_recipients_email (email),
    CONSTRAINT fk_item_recipients_item FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Recipients of the current item state';

--changeset kbr:001-item-versions
--comment: every version of every item ever seen, one row per event (point in time and purge come later)
CREATE TABLE item_versions (
    id                  BIGINT          NOT NULL AUTO_INCREMENT,
    item_id             BIGINT          NOT NULL,
    event_id            VARCHAR(255)    NOT NULL COLLATE utf8mb4_bin,
    journal_id          BIGINT          NOT NULL,
    observed_at         BIGINT          NOT NULL,
    operation           VARCHAR(16)     NOT NULL COMMENT 'UPSERT, SOFT_DELETE or HARD_DELETE',
    folder_source_key   VARBINARY(255)  NOT NULL COMMENT 'the folder the item was in at this version',
    soft_deleted        BOOLEAN         NOT NULL DEFAULT FALSE,
    size                BIGINT          NOT NULL DEFAULT 0,
    document_sha256     CHAR(64)        NULL     COMMENT 'ItemDocument blob of this version; NULL for a hard delete',
    document_size       BIGINT          NULL,
    became_current      BOOLEAN         NOT NULL COMMENT 'false: the event arrived after a newer one and only this row records it',
    recorded_at         BIGINT          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_item_versions_event (event_id),
    KEY ix_item_versions_item (item_id, journal_id, observed_at),
    CONSTRAINT fk_item_versions_item FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Every item version (one per event)';

--changeset kbr:001-item-blobs
--comment: the blobs each item version references (document, attachment data, RFC 822 text), for blob garbage collection
CREATE TABLE item_blobs (
    version_id    BIGINT    NOT NULL,
    blob_sha256   CHAR(64)  NOT NULL,
    size          BIGINT    NOT NULL,
    PRIMARY KEY (version_id, blob_sha256),
    KEY ix_item_blobs_sha256 (blob_sha256),
    CONSTRAINT fk_item_blobs_version FOREIGN KEY (version_id) REFERENCES item_versions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin COMMENT='Blob references per item version';
