package io.kbr.kopano.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Helpers for an object's property list, kept in a canonical order so that equal bags compare equal. */
public final class PropertyList {
    /** Canonical order: by stored id, then type (the primary key order of {@code properties}). */
    public static final Comparator<Property> ORDER = Comparator.comparingInt(Property::id).thenComparingInt(Property::type);

    private PropertyList() {
    }

    public static List<Property> sorted(List<Property> props) {
        List<Property> copy = new ArrayList<>(props);
        copy.sort(ORDER);
        return List.copyOf(copy);
    }

    public static Optional<Property> find(List<Property> props, int id) {
        for (Property p : props) {
            if (p.id() == id && !p.isNamed()) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Optional<Property> find(List<Property> props, NamedProperty name) {
        for (Property p : props) {
            if (name.equals(p.named())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Optional<String> string(List<Property> props, int id) {
        return find(props, id).map(p -> (String) p.value());
    }

    public static Optional<Integer> integer(List<Property> props, int id) {
        return find(props, id).map(p -> (Integer) p.value());
    }

    public static Optional<Long> longValue(List<Property> props, int id) {
        return find(props, id).map(p -> (Long) p.value());
    }
}
