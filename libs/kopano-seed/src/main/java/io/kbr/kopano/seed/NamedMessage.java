package io.kbr.kopano.seed;

import java.util.Objects;

/**
 * The raw bytes of one RFC 822 message and a name that identifies it in reports (a corpus path, a file name,
 * or "mbox-file#n").
 */
public record NamedMessage(String name, byte[] bytes) {
    public NamedMessage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public String toString() {
        return name + " (" + bytes.length + " bytes)";
    }
}
