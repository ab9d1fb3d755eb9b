package io.kbr.restore.kopano;

import io.kbr.kopano.model.Bytes;

/**
 * Where fresh sourcekeys come from (KOPANO-STORAGE.md §4.2). {@link #serverCounter()} takes them from
 * {@code settings.source_key_auto_increment} with the server GUID, exactly as kopano-server does — only safe
 * while kopano-server is stopped, because a running server hands out keys from an in-memory block and later
 * overwrites the counter. {@link #agent(Bytes)} builds 22-byte keys from kbr's own GUID and a counter of its own
 * (a {@code settings} row the server never reads), safe while the server runs.
 *
 * @param agentGuid 16 bytes, or null for the server counter
 */
public record SourceKeyPolicy(Bytes agentGuid) {
    public SourceKeyPolicy {
        if (agentGuid != null && agentGuid.length() != 16) {
            throw new IllegalArgumentException("agentGuid must have 16 bytes");
        }
    }

    public static SourceKeyPolicy serverCounter() {
        return new SourceKeyPolicy(null);
    }

    public static SourceKeyPolicy agent(Bytes guid) {
        return new SourceKeyPolicy(guid);
    }
}
