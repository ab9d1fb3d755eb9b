package io.kbr.catalog.model;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position after the last item of a page in the order (delivery time desc, id desc). Clients see it as
 * an opaque string; the version prefix lets the format change later without misreading old cursors.
 */
public record PageCursor(long deliveryTime, long id) {

    private static final String VERSION = "v1";

    public String encode() {
        String plain = VERSION + ":" + deliveryTime + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException if {@code text} is not a cursor this service produced */
    public static PageCursor decode(String text) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a cursor returned by this API");
        }
        String[] parts = plain.split(":", -1);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            throw new IllegalArgumentException("not a cursor returned by this API");
        }
        try {
            long time = Long.parseLong(parts[1]);
            long id = Long.parseLong(parts[2]);
            if (time < 0 || id < 0) {
                throw new IllegalArgumentException("not a cursor returned by this API");
            }
            return new PageCursor(time, id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor returned by this API");
        }
    }
}
