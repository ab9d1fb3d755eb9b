package io.kbr.kopano.model;

import java.util.Objects;
import java.util.UUID;

/**
 * A named property's portable identity: property-set GUID plus either a numeric id (MNID_ID, "LID") or a
 * string name (MNID_STRING). The numeric property id a name maps to differs per Kopano database (§3.6).
 */
public record NamedProperty(UUID guid, Long lid, String name) {
    public NamedProperty {
        Objects.requireNonNull(guid, "guid");
        if ((lid == null) == (name == null)) {
            throw new IllegalArgumentException("a named property has exactly one of lid or name");
        }
    }

    public static NamedProperty ofId(UUID guid, long lid) {
        return new NamedProperty(guid, lid, null);
    }

    public static NamedProperty ofName(UUID guid, String name) {
        return new NamedProperty(guid, null, name);
    }

    public boolean isId() {
        return lid != null;
    }

    @Override
    public String toString() {
        return "{" + guid + "}:" + (lid != null ? "0x" + Long.toHexString(lid) : "'" + name + "'");
    }
}
