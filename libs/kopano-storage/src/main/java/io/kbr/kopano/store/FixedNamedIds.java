package io.kbr.kopano.store;

import static io.kbr.kopano.model.PropertySets.*;

import io.kbr.kopano.model.NamedProperty;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The named properties that Kopano's client library maps to fixed property ids without a {@code names}
 * row (KOPANO-STORAGE.md §3.6b, {@code sLocalNames[]}): {@code prop_id = base + (LID - min)}.
 * Only MNID_ID names are mapped this way; every other name goes through the {@code names} table.
 */
public final class FixedNamedIds {

    private record Range(UUID guid, int minLid, int maxLid, int base) {
    }

    // §3.6b table, in order.
    private static final List<Range> RANGES = List.of(
            new Range(PSETID_APPOINTMENT, 0x8200, 0x826F, 0x8000),
            new Range(PSETID_TASK, 0x8100, 0x813F, 0x8070),
            new Range(PSETID_ADDRESS, 0x8000, 0x80EF, 0x80B0),
            new Range(PSETID_COMMON, 0x8500, 0x85FF, 0x81A0),
            new Range(PSETID_LOG, 0x8700, 0x871F, 0x82A0),
            new Range(PSETID_0006200B, 0x8800, 0x881F, 0x82C0),
            new Range(PSETID_NOTE, 0x8B00, 0x8B1F, 0x82E0),
            new Range(PSETID_00062013, 0x8D00, 0x8D1F, 0x8300),
            new Range(PSETID_00062014, 0x8F00, 0x8F1F, 0x8320),
            new Range(PSETID_MEETING, 0x0000, 0x003F, 0x8340),
            new Range(PSETID_KC, 0x0002, 0x0002, 0x8380));

    /** Highest property id of the fixed ranges; ids above it (and below 0x8501) are not fixed. */
    public static final int MAX_FIXED_ID = 0x8380;

    private FixedNamedIds() {
    }

    /** The fixed property id for a name, when the name falls in one of the ranges. */
    public static Optional<Integer> idFor(NamedProperty name) {
        if (!name.isId()) {
            return Optional.empty();
        }
        long lid = name.lid();
        for (Range r : RANGES) {
            if (r.guid.equals(name.guid()) && lid >= r.minLid && lid <= r.maxLid) {
                return Optional.of((int) (r.base + (lid - r.minLid)));
            }
        }
        return Optional.empty();
    }

    /** The name behind a stored property id in 0x8000..0x8380, if it is one of the fixed ids. */
    public static Optional<NamedProperty> nameFor(int propId) {
        for (Range r : RANGES) {
            int size = r.maxLid - r.minLid;
            if (propId >= r.base && propId <= r.base + size) {
                return Optional.of(NamedProperty.ofId(r.guid, r.minLid + (propId - r.base)));
            }
        }
        return Optional.empty();
    }
}
