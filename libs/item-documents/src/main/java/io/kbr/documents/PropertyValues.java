package io.kbr.documents;

import io.kbr.events.schema.NamedPropertyName;
import io.kbr.events.schema.PropertyValue;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.NamedProperty;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Converts single properties between the kopano-storage model and the Avro {@link PropertyValue}. */
public final class PropertyValues {
    private PropertyValues() {
    }

    public static PropertyValue toAvro(Property p) {
        NamedPropertyName name = p.named() == null ? null
                : new NamedPropertyName(guidString(p.named().guid()), p.named().lid(), p.named().name());
        Object value;
        if (p.value() instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object v : list) {
                out.add(toAvroScalar(v));
            }
            value = out;
        } else {
            value = toAvroScalar(p.value());
        }
        return new PropertyValue(p.id(), p.type(), name, value);
    }

    /** Property-set GUIDs as text: a handful of distinct ones, formatted once each instead of once per property. */
    private static final java.util.concurrent.ConcurrentHashMap<UUID, String> GUID_TEXT = new java.util.concurrent.ConcurrentHashMap<>();

    private static String guidString(UUID guid) {
        String s = GUID_TEXT.get(guid);
        if (s == null) {
            s = guid.toString();
            if (GUID_TEXT.size() < 4096) {
                GUID_TEXT.put(guid, s);
            }
        }
        return s;
    }

    public static List<PropertyValue> toAvro(List<Property> props) {
        List<PropertyValue> out = new ArrayList<>(props.size());
        for (Property p : props) {
            out.add(toAvro(p));
        }
        return out;
    }

    public static Property fromAvro(PropertyValue v) {
        NamedProperty name = v.getNamed() == null ? null
                : new NamedProperty(UUID.fromString(v.getNamed().getGuid()), v.getNamed().getLid(), v.getNamed().getName());
        int type = v.getType();
        Object value;
        if (PropType.isMultiValued(type)) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v.getValue()) {
                out.add(fromAvroScalar(type, o));
            }
            value = out;
        } else {
            value = fromAvroScalar(type, v.getValue());
        }
        return new Property(v.getId(), type, value, name);
    }

    public static List<Property> fromAvro(List<PropertyValue> values) {
        List<Property> out = new ArrayList<>(values.size());
        for (PropertyValue v : values) {
            out.add(fromAvro(v));
        }
        return out;
    }

    private static Object toAvroScalar(Object v) {
        return v instanceof Bytes b ? ByteBuffer.wrap(b.unsafeArray()) : v;
    }

    private static Object fromAvroScalar(int type, Object v) {
        // Avro widens nothing here: each MAPI type has exactly one Avro branch (see PropertyValue.avsc).
        return switch (PropType.baseType(type)) {
            case PropType.BINARY, PropType.CLSID -> Bytes.wrap(bytes((ByteBuffer) v));
            case PropType.STRING8, PropType.UNICODE -> v.toString();
            default -> v;
        };
    }

    public static byte[] bytes(ByteBuffer b) {
        ByteBuffer dup = b.duplicate();
        byte[] out = new byte[dup.remaining()];
        dup.get(out);
        return out;
    }
}
