--liquibase formatted sql

-- Issue 5, "include metadata at a point in time": every store-metadata document (rules, ACLs, delegates, settings)
-- the catalog was told about, not only the latest, so a restore with a point in time restores the rules and
-- permissions as they were then. stores.metadata_* stays the latest (listings read it); this table is the history.

--changeset kbr:011-store-metadata-versions
--comment: one row per distinct metadata document of a store (a repeat of the same document adds no row)
CREATE TABLE store_metadata_versions (
    id                      BIGINT        NOT NULL AUTO_INCREMENT,
    store_guid              BINARY(16)    NOT NULL,
    event_id                VARCHAR(255)  NOT NULL COLLATE utf8mb4_bin COMMENT 'the StoreChange that carried the document',
    journal_id              BIGINT        NOT NULL,
    observed_at             BIGINT        NOT NULL COMMENT 'when the agent observed the document; asOf selects by it',
    metadata_sha256         CHAR(64)      NOT NULL,
    metadata_size           BIGINT        NOT NULL,
    metadata_pack           CHAR(32)      NULL COMMENT 'pack holding the document; NULL: a stand-alone object',
    metadata_offset         BIGINT        NULL,
    metadata_stored_length  BIGINT        NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_store_metadata_versions_event (event_id),
    KEY ix_store_metadata_versions_store_time (store_guid, observed_at),
    KEY ix_store_metadata_versions_sha (metadata_sha256),
    KEY ix_store_metadata_versions_pack (metadata_pack)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='history of each store''s metadata document';

INSERT INTO store_metadata_versions (store_guid, event_id, journal_id, observed_at, metadata_sha256, metadata_size,
                                     metadata_pack, metadata_offset, metadata_stored_length)
SELECT store_guid, last_event_id, last_journal_id, last_observed_at, metadata_sha256, metadata_size,
       metadata_pack, metadata_offset, metadata_stored_length
FROM stores WHERE metadata_sha256 IS NOT NULL AND last_event_id IS NOT NULL;
