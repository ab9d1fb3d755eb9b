--liquibase formatted sql

-- Issue 4 (catalog side): every version of items and folders for point-in-time views, item identity across
-- moves, resync by diff, retention (purge) and blob garbage collection with packed blobs.

--changeset kbr:002-item-versions-state
--comment: what each item version looked like, so that point-in-time views and searches need no other table
ALTER TABLE item_versions
    ADD COLUMN source_key              VARBINARY(255) NULL COMMENT 'the sourcekey of the item at this version (a move changes it)',
    ADD COLUMN message_class           VARCHAR(255)   NULL,
    ADD COLUMN subject                 TEXT           NULL,
    ADD COLUMN sender_name             VARCHAR(512)   NULL,
    ADD COLUMN sender_email            VARCHAR(320)   NULL,
    ADD COLUMN delivery_time           BIGINT         NULL COMMENT 'as items.delivery_time; NULL in rows written before this changeset',
    ADD COLUMN last_modified           BIGINT         NULL,
    ADD COLUMN deleted_at              BIGINT         NULL COMMENT 'PR_DELETED_ON of a soft delete',
    ADD COLUMN document_pack           CHAR(32)       NULL COMMENT 'pack holding the ItemDocument blob; NULL: a stand-alone object',
    ADD COLUMN document_offset         BIGINT         NULL COMMENT 'start of the document entry inside the pack',
    ADD COLUMN document_stored_length  BIGINT         NULL COMMENT 'stored length of the document entry inside the pack',
    ADD COLUMN sync_id                 VARCHAR(255)   NULL COMMENT 'ChangeEvent.syncId: the full sync that reported this version; NULL for incremental changes',
    ADD COLUMN reason                  VARCHAR(32)    NULL COMMENT 'set when the catalog derived the version itself: resync (absent from a completed full sync)',
    ADD KEY ix_item_versions_item_observed (item_id, observed_at);
UPDATE item_versions v JOIN items i ON i.id = v.item_id
   SET v.source_key = i.source_key, v.message_class = i.message_class, v.subject = i.subject,
       v.sender_name = i.sender_name, v.sender_email = i.sender_email, v.delivery_time = i.delivery_time,
       v.last_modified = i.last_modified;

--changeset kbr:002-item-blobs-pack
--comment: packed blobs live inside pack objects; garbage collection deletes a pack only when no entry of it is referenced
ALTER TABLE item_blobs
    ADD COLUMN pack           CHAR(32) NULL COMMENT 'pack id (object packs/<2 hex>/<pack>) holding the blob; NULL: the stand-alone object blobs/<2 hex>/<sha256>',
    ADD COLUMN pack_offset    BIGINT   NULL COMMENT 'start of the entry inside the pack',
    ADD COLUMN stored_length  BIGINT   NULL COMMENT 'stored length of the entry inside the pack',
    ADD KEY ix_item_blobs_pack (pack);

--changeset kbr:002-items-sync
--comment: resync by diff and moves
ALTER TABLE items
    ADD COLUMN last_sync_id VARCHAR(255) NULL COMMENT 'the full sync that last reported the item (even as history only); NULL when an incremental change set the current state since',
    ADD KEY ix_items_store_previous (store_guid, previous_source_key);

--changeset kbr:002-folders-sync
ALTER TABLE folders
    ADD COLUMN last_sync_id VARCHAR(255) NULL COMMENT 'the full sync that last reported the folder; NULL when an incremental change set the current state since';

--changeset kbr:002-stores-metadata-pack
--comment: the metadata blob may be a pack entry; the last completed full sync
ALTER TABLE stores
    ADD COLUMN metadata_pack           CHAR(32)     NULL COMMENT 'pack holding the metadata blob; NULL: a stand-alone object',
    ADD COLUMN metadata_offset         BIGINT       NULL,
    ADD COLUMN metadata_stored_length  BIGINT       NULL,
    ADD COLUMN last_sync_id            VARCHAR(255) NULL COMMENT 'the last full sync whose FULL_SYNC_COMPLETED marker was applied',
    ADD COLUMN last_sync_journal_id    BIGINT       NULL COMMENT 'journal id of that marker (the sync snapshot watermark)',
    ADD COLUMN last_sync_completed_at  BIGINT       NULL COMMENT 'observed-at of that marker',
    ADD COLUMN last_sync_removed       BIGINT       NULL COMMENT 'items and folders that sync marked hard-deleted because it did not report them';

--changeset kbr:002-folder-versions
--comment: every version of every folder (one row per event), for folder paths over time and point-in-time folder trees
CREATE TABLE folder_versions (
    id                  BIGINT          NOT NULL AUTO_INCREMENT,
    store_guid          BINARY(16)      NOT NULL,
    source_key          VARBINARY(255)  NOT NULL,
    event_id            VARCHAR(255)    NOT NULL COLLATE utf8mb4_bin,
    journal_id          BIGINT          NOT NULL,
    observed_at         BIGINT          NOT NULL,
    operation           VARCHAR(16)     NOT NULL COMMENT 'UPSERT, SOFT_DELETE or HARD_DELETE',
    parent_source_key   VARBINARY(255)  NULL,
    display_name        VARCHAR(512)    NULL,
    container_class     VARCHAR(255)    NULL,
    folder_type         INT             NOT NULL DEFAULT 1,
    soft_deleted        BOOLEAN         NOT NULL DEFAULT FALSE,
    became_current      BOOLEAN         NOT NULL,
    sync_id             VARCHAR(255)    NULL,
    reason              VARCHAR(32)     NULL COMMENT 'resync when the catalog derived the version itself',
    recorded_at         BIGINT          NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_folder_versions_event (event_id),
    KEY ix_folder_versions_folder (store_guid, source_key, journal_id, observed_at),
    KEY ix_folder_versions_store_time (store_guid, observed_at),
    CONSTRAINT fk_folder_versions_folder FOREIGN KEY (store_guid, source_key) REFERENCES folders (store_guid, source_key) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Every folder version (one per event)';
-- the current state of folders recorded before this changeset is their only known version
INSERT INTO folder_versions (store_guid, source_key, event_id, journal_id, observed_at, operation, parent_source_key,
                             display_name, container_class, folder_type, soft_deleted, became_current, recorded_at)
SELECT store_guid, source_key, last_event_id, last_journal_id, last_observed_at,
       CASE WHEN hard_deleted_at IS NOT NULL THEN 'HARD_DELETE' WHEN soft_deleted THEN 'SOFT_DELETE' ELSE 'UPSERT' END,
       parent_source_key, display_name, container_class, folder_type, soft_deleted, TRUE, last_observed_at
FROM folders;
