package io.kbr.kopano.store;

import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.model.FileTimes;
import io.kbr.kopano.model.PropType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Maps one property value to and from the {@code val_*} columns of {@code properties} / {@code mvproperties}
 * (KOPANO-STORAGE.md §3.2). Column order everywhere: val_ulong, val_string, val_binary, val_double,
 * val_longint, val_hi, val_lo.
 */
public final class PropertyColumns {
    public static final String COLUMNS = "val_ulong, val_string, val_binary, val_double, val_longint, val_hi, val_lo";

    private PropertyColumns() {
    }

    /** Binds a single value of base type {@code type} to the seven value parameters starting at {@code first}. */
    public static void bind(PreparedStatement ps, int first, int type, Object value) throws SQLException {
        Long ulong = null;
        String string = null;
        byte[] binary = null;
        Double dbl = null;
        Long longint = null;
        Integer hi = null;
        Long lo = null;
        switch (PropType.baseType(type)) {
            // §3.2: val_ulong is unsigned; negative PT_LONG/PT_I2 are stored as their two's complement.
            case PropType.SHORT, PropType.LONG -> ulong = ((Integer) value).longValue() & 0xFFFFFFFFL;
            case PropType.BOOLEAN -> ulong = ((Boolean) value) ? 1L : 0L;
            case PropType.FLOAT, PropType.DOUBLE, PropType.APPTIME -> dbl = (Double) value;
            case PropType.LONGLONG -> longint = (Long) value;
            case PropType.CURRENCY, PropType.SYSTIME -> {
                long v = (Long) value;
                hi = FileTimes.hi(v);
                lo = FileTimes.lo(v);
            }
            case PropType.STRING8, PropType.UNICODE -> string = (String) value;
            case PropType.BINARY, PropType.CLSID -> binary = ((Bytes) value).unsafeArray();
            default -> throw new IllegalArgumentException("type " + type + " cannot be stored (§3.2)");
        }
        setLong(ps, first, ulong);
        if (string == null) {
            ps.setNull(first + 1, Types.VARCHAR);
        } else {
            ps.setString(first + 1, string);
        }
        if (binary == null) {
            ps.setNull(first + 2, Types.BLOB);
        } else {
            ps.setBytes(first + 2, binary);
        }
        if (dbl == null) {
            ps.setNull(first + 3, Types.DOUBLE);
        } else {
            ps.setDouble(first + 3, dbl);
        }
        setLong(ps, first + 4, longint);
        if (hi == null) {
            ps.setNull(first + 5, Types.INTEGER);
        } else {
            ps.setInt(first + 5, hi);
        }
        setLong(ps, first + 6, lo);
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    /** Reads a single value of base type {@code type} from the seven value columns starting at {@code first}. */
    public static Object read(ResultSet rs, int first, int type) throws SQLException {
        return switch (PropType.baseType(type)) {
            // §3.2: cast the unsigned column to int32; PT_I2 uses the low 16 bits as signed.
            case PropType.LONG -> (int) rs.getLong(first);
            case PropType.SHORT -> (int) (short) rs.getLong(first);
            case PropType.BOOLEAN -> rs.getLong(first) != 0;
            case PropType.FLOAT, PropType.DOUBLE, PropType.APPTIME -> rs.getDouble(first + 3);
            case PropType.LONGLONG -> rs.getLong(first + 4);
            case PropType.CURRENCY, PropType.SYSTIME -> FileTimes.fromHiLo(rs.getInt(first + 5), rs.getLong(first + 6));
            case PropType.STRING8, PropType.UNICODE -> {
                String s = rs.getString(first + 1);
                yield s == null ? "" : s;
            }
            case PropType.BINARY, PropType.CLSID -> {
                byte[] b = rs.getBytes(first + 2);
                yield Bytes.wrap(b == null ? new byte[0] : b);
            }
            default -> throw new SQLException("unsupported stored property type " + type);
        };
    }

    /** Whether a stored type can be decoded; the server drops unstorable ones (§3.2), so others are corrupt rows. */
    public static boolean isStorable(int type) {
        try {
            PropType.javaClass(type);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
