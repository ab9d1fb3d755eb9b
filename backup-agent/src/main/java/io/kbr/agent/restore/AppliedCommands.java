package io.kbr.agent.restore;

import io.kbr.events.schema.RestoreEvent;
import java.util.Optional;

/**
 * Remembers the outcome of every restore item the agent applied, by its deterministic event id
 * ({@code <commandId>/<sourceKey>}), so a redelivered command (same id) is answered from memory instead of being
 * applied again — KEEP_BOTH would otherwise copy twice.
 */
public interface AppliedCommands {
    /** The ITEM event of an item applied before, or empty. */
    Optional<RestoreEvent> outcome(String eventId);

    /** Records an applied item's outcome (may be asynchronous until {@link #flush()}). */
    void remember(RestoreEvent itemEvent);

    /** Waits until every remembered outcome is durable. */
    void flush();
}
