package io.kbr.events;

import io.kbr.events.schema.ChangeEvent;

/** Deserializer for {@code kbr.changes} values. */
public final class ChangeEventDeserializer extends AvroDeserializer<ChangeEvent> {
    public ChangeEventDeserializer() {
        super(ChangeEvent.class);
    }
}
