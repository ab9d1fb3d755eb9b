package io.kbr.catalog.model;

/** What an event did to an item or folder (the Avro ItemOperation / FolderOperation). */
public enum Operation {
    UPSERT,
    SOFT_DELETE,
    HARD_DELETE
}
