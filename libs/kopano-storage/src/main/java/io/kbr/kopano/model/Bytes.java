package io.kbr.kopano.model;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string with value equality, used for binary property values, entryids and sourcekeys. */
public final class Bytes implements Comparable<Bytes> {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** Wraps a copy of {@code data}. */
    public static Bytes of(byte[] data) {
        return new Bytes(data.clone());
    }

    /** Wraps {@code data} without copying; the caller must not modify it afterwards. */
    public static Bytes wrap(byte[] data) {
        return new Bytes(data);
    }

    public static Bytes fromHex(String hex) {
        return new Bytes(HEX.parseHex(hex.replace(" ", "")));
    }

    public byte[] toArray() {
        return data.clone();
    }

    /** The backing array; callers must not modify it. */
    public byte[] unsafeArray() {
        return data;
    }

    public int length() {
        return data.length;
    }

    public String hex() {
        return HEX.formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(data, o.data);
    }

    @Override
    public String toString() {
        return data.length <= 64 ? "0x" + hex() : "0x" + HEX.formatHex(data, 0, 32) + "…(" + data.length + " bytes)";
    }
}
