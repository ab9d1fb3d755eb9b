package io.kbr.events;

import io.kbr.events.schema.ChangeEvent;

/** Serializer for {@code kbr.changes} values. */
public final class ChangeEventSerializer extends AvroSerializer<ChangeEvent> {
    public ChangeEventSerializer() {
        super(ChangeEvent.class);
    }
}
