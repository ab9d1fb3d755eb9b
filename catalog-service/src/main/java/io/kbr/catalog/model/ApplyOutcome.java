package io.kbr.catalog.model;

/** What applying one event did. */
public enum ApplyOutcome {
    /** The event set the current state of its object. */
    APPLIED,
    /** The object already had a newer state; the event was recorded as history only. */
    STALE,
    /** The event id had been recorded before; nothing changed. */
    DUPLICATE
}
