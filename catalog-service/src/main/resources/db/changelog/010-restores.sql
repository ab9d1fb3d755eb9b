--liquibase formatted sql

-- Issue 5: item-level restore jobs requested through POST /api/v1/restores, and their per-item outcomes
-- as the restore-service and the agents report them on kbr.restore.events.

--changeset kbr:010-restores
--comment: one row per restore job; counts are derived from restore_items and kept here for listing
CREATE TABLE restore_jobs (
    job_id        VARCHAR(64)  NOT NULL,
    state         VARCHAR(24)  NOT NULL COMMENT 'ACCEPTED RESOLVING RUNNING DONE DONE_WITH_FAILURES FAILED',
    request_json  MEDIUMTEXT   NOT NULL COMMENT 'the validated request as published on kbr.restore.requests',
    store_guid    VARCHAR(32)  NOT NULL,
    target_server VARCHAR(255) NOT NULL,
    target_store  VARCHAR(32)  NOT NULL,
    selected      INT          NULL,
    reason        TEXT         NULL COMMENT 'why the job FAILED',
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (job_id),
    KEY ix_restore_jobs_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

--changeset kbr:010-restore-items
--comment: the latest outcome of each item of a job; restore_events makes applying kbr.restore.events idempotent
CREATE TABLE restore_items (
    job_id      VARCHAR(64)   NOT NULL,
    source_key  VARCHAR(128)  NOT NULL,
    outcome     VARCHAR(24)   NOT NULL COMMENT 'RESTORED SKIPPED_DUPLICATE UNDELETED FAILED',
    reason      TEXT          NULL,
    at_millis   BIGINT        NOT NULL,
    PRIMARY KEY (job_id, source_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE restore_events (
    event_id    VARCHAR(255)  NOT NULL,
    job_id      VARCHAR(64)   NOT NULL,
    applied_at  BIGINT        NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
