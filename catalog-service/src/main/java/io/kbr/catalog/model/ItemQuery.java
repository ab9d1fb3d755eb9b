package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/**
 * A validated item search. Null fields do not filter. {@code sender} and {@code recipient} match an address
 * exactly when they are a complete address, otherwise as a substring of address or name; every word of
 * {@code subjectWords} must occur in the subject; {@code from} is inclusive, {@code to} exclusive. With {@code asOf},
 * each item is searched in its version valid at that instant (items that did not exist then, or were hard-deleted
 * by then, are not found).
 */
public record ItemQuery(
        byte[] store,
        String sender,
        String recipient,
        List<String> subjectWords,
        Instant from,
        Instant to,
        byte[] folder,
        boolean subfolders,
        DeletedFilter deleted,
        int limit,
        PageCursor after,
        Instant asOf) {
}
