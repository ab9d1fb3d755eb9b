package io.kbr.kopano.model;

import java.util.List;
import java.util.Objects;

/**
 * One MAPI property of an object.
 *
 * @param id    16-bit property id as stored in this database ({@code properties.tag}); for a named property
 *              (id &ge; 0x8000) it is server-specific, and 0 in a property that has not been written yet
 * @param type  stored property type, normalised (§3.1): 30 for strings, type | 0x1000 for multi-valued
 * @param value a value of {@link PropType#javaClass(int)}, or for multi-valued types an immutable
 *              {@code List} of such values
 * @param named the portable name when {@code id} is a named property, else {@code null}
 */
public record Property(int id, int type, Object value, NamedProperty named) {
    public Property {
        Objects.requireNonNull(value, "value");
        type = PropType.normalise(type);
        Class<?> cls = PropType.javaClass(type);
        if (PropType.isMultiValued(type)) {
            if (!(value instanceof List<?> list)) {
                throw new IllegalArgumentException("MV property 0x" + Integer.toHexString(id) + " needs a List");
            }
            for (Object e : list) {
                if (!cls.isInstance(e)) {
                    throw new IllegalArgumentException("element " + e + " of 0x" + Integer.toHexString(id) + " is not " + cls.getSimpleName());
                }
            }
            value = List.copyOf(list);
        } else if (!cls.isInstance(value)) {
            throw new IllegalArgumentException("value " + value + " of property 0x" + Integer.toHexString(id) + " type " + type
                    + " is not " + cls.getSimpleName());
        }
    }

    public static Property of(int id, int type, Object value) {
        return new Property(id, type, value, null);
    }

    /** A named property whose id is assigned when it is written (§3.6). */
    public static Property named(NamedProperty name, int type, Object value) {
        return new Property(0, type, value, name);
    }

    public Property withId(int newId) {
        return new Property(newId, type, value, named);
    }

    public boolean isNamed() {
        return named != null;
    }

    /** A key that identifies the property portably: the name for named properties, else the id. */
    public Object portableKey() {
        return named != null ? named : id;
    }

    @Override
    public String toString() {
        return (named != null ? named + "@" : "") + "0x" + Integer.toHexString(id) + ":" + type + "=" + value;
    }
}
