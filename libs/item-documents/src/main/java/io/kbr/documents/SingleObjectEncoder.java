package io.kbr.documents;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker {@code C3 01}, the schema's 8-byte CRC-64-AVRO fingerprint, the binary
 * body) of one generated record type, byte for byte what {@code io.kbr.events.AvroCodec#encode} produces, but
 * cheaper per record: Avro's {@code BinaryMessageEncoder} writes through an unbuffered encoder into a
 * synchronized {@code ByteArrayOutputStream} one call per varint and copies the result twice. This one keeps,
 * per thread, a buffered encoder, the datum writer and a growable array, and copies the record's bytes once;
 * {@link PropertyValueWriter} writes the property values directly. The bytes must not differ (they are hashed:
 * the same document must keep the same blob id), which {@code ItemDocumentsTest} checks against the codec.
 */
public final class SingleObjectEncoder<T extends SpecificRecord> {
    private final byte[] header;
    private final ThreadLocal<State<T>> state;

    public SingleObjectEncoder(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian, as the Avro specification says
        }
        SpecificData data = new SpecificData(type.getClassLoader());
        state = ThreadLocal.withInitial(() -> new State<>(new PropertyValueWriter<>(schema, data)));
    }

    /** The single-object encoding of {@code record}, in an array of its own. */
    public byte[] encode(T record) {
        State<T> s = state.get();
        s.out.reset();
        s.out.write(header, 0, header.length);
        try {
            s.encoder = EncoderFactory.get().binaryEncoder(s.out, s.encoder);
            s.writer.write(record, s.encoder);
            s.encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getSchema().getName() + ": " + e.getMessage(), e);
        }
        byte[] out = s.out.toByteArray();
        s.out.shrinkIfHuge();
        return out;
    }

    private static final class State<T> {
        final SpecificDatumWriter<T> writer;
        final Bytes out = new Bytes();
        BinaryEncoder encoder;

        State(SpecificDatumWriter<T> writer) {
            this.writer = writer;
        }
    }

    /** An unsynchronized, reusable byte sink. */
    private static final class Bytes extends OutputStream {
        private static final int KEEP = 1 << 20;
        private byte[] buf = new byte[32 * 1024];
        private int size;

        void reset() {
            size = 0;
        }

        /** Does not keep a buffer grown by one huge record (e.g. a large inline text) for the thread's lifetime. */
        void shrinkIfHuge() {
            if (buf.length > KEEP) {
                buf = new byte[32 * 1024];
            }
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
