package io.kbr.catalog.model;

import java.util.Comparator;

/**
 * Where an event stands in the history of one catalog object: the Kopano change-journal id that announced
 * it, then when the agent observed it, then its id as a tie-breaker. The current state of an object is the
 * state of the greatest position seen; a smaller position arriving later is history, not news.
 */
public record EventPosition(long journalId, long observedAtMillis, String eventId) implements Comparable<EventPosition> {

    private static final Comparator<EventPosition> ORDER = Comparator.comparingLong(EventPosition::journalId)
            .thenComparingLong(EventPosition::observedAtMillis)
            .thenComparing(EventPosition::eventId);

    @Override
    public int compareTo(EventPosition other) {
        return ORDER.compare(this, other);
    }

    /** True if this event should replace the state set by {@code current}. */
    public boolean isNewerThan(EventPosition current) {
        return compareTo(current) > 0;
    }
}
