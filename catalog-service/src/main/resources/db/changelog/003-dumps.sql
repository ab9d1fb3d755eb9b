--liquibase formatted sql

-- Issue 6: the dumps the dump-service announced on kbr.dumps, listed for disaster recovery.

--changeset kbr:003-dumps
--comment: one row per finished dump (logical or physical), as its kbr.dumps announcement summarised it
CREATE TABLE dumps (
    dump_id              VARCHAR(64)   NOT NULL,
    server_id            VARCHAR(255)  NOT NULL,
    kind                 VARCHAR(16)   NOT NULL COMMENT 'LOGICAL or PHYSICAL',
    state                VARCHAR(16)   NOT NULL COMMENT 'COMPLETE or INCOMPLETE',
    db_name              VARCHAR(255)  NOT NULL,
    format               VARCHAR(64)   NOT NULL,
    started_at           BIGINT        NOT NULL COMMENT 'epoch millis',
    snapshot_at          BIGINT        NOT NULL COMMENT 'epoch millis: when the snapshot transaction opened',
    finished_at          BIGINT        NOT NULL,
    stored_bytes         BIGINT        NOT NULL,
    table_count          INT           NOT NULL,
    row_count            BIGINT        NOT NULL,
    attachment_instances INT           NOT NULL,
    missing_attachments  INT           NOT NULL,
    binlog_file          VARCHAR(255)  NULL,
    binlog_position      BIGINT        NULL,
    gtid_position        VARCHAR(1024) NULL,
    manifest_key         VARCHAR(1024) NOT NULL,
    problems             TEXT          NULL COMMENT 'newline-separated reasons for INCOMPLETE',
    received_at          BIGINT        NOT NULL,
    PRIMARY KEY (dump_id),
    KEY ix_dumps_server_snapshot (server_id, snapshot_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
