package io.kbr.catalog.model;

/** Which items a search returns by deletion state. */
public enum DeletedFilter {
    /** All items, deleted or not. */
    INCLUDE,
    /** Only items neither soft- nor hard-deleted. */
    EXCLUDE,
    /** Only soft- or hard-deleted items. */
    ONLY
}
