package io.kbr.catalog.mapping;

import java.util.HexFormat;

/** Lower-case hex for GUIDs and sourcekeys, as the API shows them. */
public final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {
    }

    public static String encode(byte[] bytes) {
        return bytes == null ? null : FORMAT.formatHex(bytes);
    }

    /** @throws IllegalArgumentException if {@code text} is not an even number of hex digits */
    public static byte[] decode(String text) {
        if (text.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        return FORMAT.parseHex(text);
    }
}
