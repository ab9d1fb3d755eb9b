package io.kbr.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated Avro record type with Avro single-object encoding (marker, schema
 * fingerprint, binary body), so no schema registry is needed: a reader finds the writer's schema by its
 * fingerprint among the schemas it knows.
 */
public final class AvroCodec<T extends SpecificRecord> {
    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type) {
        this.type = type;
        SpecificData data = new SpecificData(type.getClassLoader());
        this.encoder = new BinaryMessageEncoder<>(data, SpecificData.get().getSchema(type));
        this.decoder = new BinaryMessageDecoder<>(data, SpecificData.get().getSchema(type));
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buf = encoder.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new EventCodecException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes bytes; anything that is not a single-object encoded record of a known schema is an {@link EventCodecException}. */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new EventCodecException(type.getSimpleName() + ": empty payload");
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new EventCodecException("not a valid " + type.getSimpleName() + " (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    public Class<T> type() {
        return type;
    }
}
