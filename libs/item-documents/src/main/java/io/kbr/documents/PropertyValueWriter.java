package io.kbr.documents;

import io.kbr.events.schema.NamedPropertyName;
import io.kbr.events.schema.PropertyValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * A {@link SpecificDatumWriter} that writes {@link PropertyValue} records (~50 per item document, the bulk of
 * its encoding) directly, without the generic writer's per-field lookups and union resolution by schema name.
 * It writes exactly what the generic writer writes for that schema; should {@code PropertyValue.avsc} ever
 * change, the fingerprint check below switches the direct path off and the generic writer does the work.
 */
final class PropertyValueWriter<T> extends SpecificDatumWriter<T> {
    /** CRC-64-AVRO parsing fingerprint of the PropertyValue schema this class was written for. */
    static final long WRITTEN_FOR = 0x1ce4486547386d4dL;
    static final boolean DIRECT = SchemaNormalization.parsingFingerprint64(PropertyValue.getClassSchema()) == WRITTEN_FOR;

    PropertyValueWriter(Schema root, SpecificData data) {
        super(root, data);
    }

    @Override
    protected void writeRecord(Schema schema, Object datum, Encoder out) throws IOException {
        if (DIRECT && datum instanceof PropertyValue v) {
            write(v, out);
        } else {
            super.writeRecord(schema, datum, out);
        }
    }

    private static void write(PropertyValue v, Encoder out) throws IOException {
        out.writeInt(v.getId());
        out.writeInt(v.getType());
        NamedPropertyName n = v.getNamed();
        if (n == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            out.writeString(n.getGuid());
            if (n.getLid() == null) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                out.writeLong(n.getLid());
            }
            if (n.getName() == null) {
                out.writeIndex(0);
            } else {
                out.writeIndex(1);
                out.writeString(n.getName());
            }
        }
        Object value = v.getValue();
        if (value instanceof List<?> list) {
            out.writeIndex(6);
            out.writeArrayStart();
            out.setItemCount(list.size());
            for (Object item : list) {
                out.startItem();
                writeScalar(item, out);
            }
            out.writeArrayEnd();
        } else {
            writeScalar(value, out);
        }
    }

    /** The union branches in PropertyValue.avsc order: boolean, int, long, double, string, bytes. */
    private static void writeScalar(Object value, Encoder out) throws IOException {
        if (value instanceof Boolean b) {
            out.writeIndex(0);
            out.writeBoolean(b);
        } else if (value instanceof Integer i) {
            out.writeIndex(1);
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeIndex(2);
            out.writeLong(l);
        } else if (value instanceof Double d) {
            out.writeIndex(3);
            out.writeDouble(d);
        } else if (value instanceof CharSequence s) {
            out.writeIndex(4);
            out.writeString(s.toString());
        } else if (value instanceof ByteBuffer b) {
            out.writeIndex(5);
            out.writeBytes(b);
        } else {
            // what the generic writer reports for a value outside the union
            throw new org.apache.avro.UnresolvedUnionException(PropertyValue.getClassSchema().getField("value").schema(), value);
        }
    }
}
