package io.kbr.agent.backup;

import io.kbr.events.schema.ChangeEvent;
import java.util.concurrent.CompletableFuture;

/** Sends change events; the future completes when the broker acknowledged the event (acks=all). */
public interface ChangePublisher {
    CompletableFuture<Void> publish(String key, ChangeEvent event);
}
