package io.kbr.kopano.model;

import java.time.Instant;

/** PT_SYSTIME values: FILETIME ticks, 100 ns since 1601-01-01 UTC (§3.2). */
public final class FileTimes {
    /** 100 ns ticks between 1601-01-01 and 1970-01-01. */
    public static final long EPOCH_OFFSET = 116444736000000000L;

    private FileTimes() {
    }

    public static long fromInstant(Instant t) {
        return EPOCH_OFFSET + t.getEpochSecond() * 10_000_000L + t.getNano() / 100;
    }

    public static Instant toInstant(long ticks) {
        long since = ticks - EPOCH_OFFSET;
        return Instant.ofEpochSecond(Math.floorDiv(since, 10_000_000L), Math.floorMod(since, 10_000_000L) * 100);
    }

    /** §3.2: ticks = (val_hi &lt;&lt; 32) + val_lo, with val_hi signed and val_lo unsigned. */
    public static long fromHiLo(int hi, long lo) {
        return ((long) hi << 32) + (lo & 0xFFFFFFFFL);
    }

    public static int hi(long ticks) {
        return (int) (ticks >> 32);
    }

    public static long lo(long ticks) {
        return ticks & 0xFFFFFFFFL;
    }
}
