package io.kbr.dump;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array the row formatter writes SQL into; cheaper than a ByteArrayOutputStream (no locks). */
final class ByteBuffer {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    byte[] bytes;
    int length;

    ByteBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }

    ByteBuffer append(byte b) {
        ensure(1);
        bytes[length++] = b;
        return this;
    }

    ByteBuffer append(byte[] b) {
        return append(b, 0, b.length);
    }

    ByteBuffer append(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
        return this;
    }

    ByteBuffer ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
        return this;
    }

    ByteBuffer utf8(String s) {
        return append(s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code 0x…} for binary data, {@code ''} when empty. */
    ByteBuffer hexLiteral(byte[] b) {
        if (b.length == 0) {
            return append((byte) '\'').append((byte) '\'');
        }
        ensure(2 + 2 * b.length);
        bytes[length++] = '0';
        bytes[length++] = 'x';
        for (byte x : b) {
            bytes[length++] = HEX[(x >> 4) & 0xF];
            bytes[length++] = HEX[x & 0xF];
        }
        return this;
    }

    /** A quoted string literal, escaped as mysqldump escapes (so no raw newline ever appears inside one). */
    ByteBuffer stringLiteral(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(2 + 2 * b.length);
        bytes[length++] = '\'';
        for (byte x : b) {
            switch (x) {
                case 0 -> { bytes[length++] = '\\'; bytes[length++] = '0'; }
                case '\n' -> { bytes[length++] = '\\'; bytes[length++] = 'n'; }
                case '\r' -> { bytes[length++] = '\\'; bytes[length++] = 'r'; }
                case '\\' -> { bytes[length++] = '\\'; bytes[length++] = '\\'; }
                case '\'' -> { bytes[length++] = '\\'; bytes[length++] = '\''; }
                case '"' -> { bytes[length++] = '\\'; bytes[length++] = '"'; }
                case 0x1A -> { bytes[length++] = '\\'; bytes[length++] = 'Z'; }
                default -> bytes[length++] = x;
            }
        }
        bytes[length++] = '\'';
        return this;
    }

    void clear() {
        length = 0;
    }
}
