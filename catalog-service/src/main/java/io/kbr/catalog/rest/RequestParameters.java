package io.kbr.catalog.rest;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.DeletedFilter;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.PageCursor;
import io.kbr.catalog.service.InvalidParameterException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses request parameters into domain values. Every failure is an {@link InvalidParameterException}
 * naming the parameter, which the API answers with 400.
 */
final class RequestParameters {
    static final int GUID_HEX_DIGITS = 32;
    static final int SOURCE_KEY_MAX_BYTES = 255;
    static final int TEXT_MAX = 320;
    static final int SUBJECT_WORDS_MAX = 32;

    private RequestParameters() {
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** A store GUID: exactly 32 hex digits. */
    static byte[] guid(String name, String value) {
        String v = value == null ? "" : value.trim();
        if (v.length() != GUID_HEX_DIGITS || !isHex(v)) {
            throw new InvalidParameterException(name, "expected a store GUID of " + GUID_HEX_DIGITS + " hex digits, got '"
                    + shorten(value) + "'");
        }
        return Hex.decode(v.toLowerCase(Locale.ROOT));
    }

    /** A sourcekey: an even number of hex digits, at most 255 bytes. */
    static byte[] sourceKey(String name, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || v.length() % 2 != 0 || v.length() > 2 * SOURCE_KEY_MAX_BYTES || !isHex(v)) {
            throw new InvalidParameterException(name, "expected a sourcekey as an even number of hex digits (at most "
                    + 2 * SOURCE_KEY_MAX_BYTES + "), got '" + shorten(value) + "'");
        }
        return Hex.decode(v.toLowerCase(Locale.ROOT));
    }

    /** An ISO-8601 instant ({@code 2024-05-01T00:00:00Z}) or date-time with offset; null if absent. */
    static Instant instant(String name, String value) {
        if (!present(value)) {
            return null;
        }
        String v = value.trim();
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidParameterException(name, "expected an ISO-8601 instant such as 2024-05-01T00:00:00Z, got '"
                        + shorten(value) + "'");
            }
        }
    }

    /**
     * The filters shared by the item search and the index export, validated; {@code store} may be null (all stores)
     * except with {@code subfolders} or {@code asOf}.
     */
    static ItemQuery itemQuery(byte[] store, String sender, String recipient, String subject, String from, String to,
            String folder, String subfolders, String deleted, int limit, PageCursor after, String asOf) {
        Instant fromInstant = instant("from", from);
        Instant toInstant = instant("to", to);
        if (fromInstant != null && toInstant != null && fromInstant.isAfter(toInstant)) {
            throw new InvalidParameterException("from", "must not be after 'to' (" + fromInstant + " > " + toInstant + ")");
        }
        byte[] folderKey = present(folder) ? sourceKey("folder", folder) : null;
        boolean withSubfolders = bool("subfolders", subfolders);
        if (withSubfolders && (folderKey == null || store == null)) {
            throw new InvalidParameterException("subfolders", "needs both 'folder' and 'store'");
        }
        Instant asOfInstant = instant("asOf", asOf);
        if (asOfInstant != null && store == null) {
            throw new InvalidParameterException("asOf", "needs 'store': a point-in-time search reads one store's history");
        }
        return new ItemQuery(store, text("sender", sender), text("recipient", recipient), words("subject", subject),
                fromInstant, toInstant, folderKey, withSubfolders, deleted("deleted", deleted), limit, after, asOfInstant);
    }

    static int limit(String name, String value, int defaultValue, int max) {
        if (!present(value)) {
            return defaultValue;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidParameterException(name, "expected a whole number from 1 to " + max + ", got '" + shorten(value) + "'");
    }

    static PageCursor cursor(String name, String value) {
        if (!present(value)) {
            return null;
        }
        try {
            return PageCursor.decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(name, e.getMessage() + " (use the nextCursor of the previous page), got '"
                    + shorten(value) + "'");
        }
    }

    /** Free text to match; null if absent. */
    static String text(String name, String value) {
        if (!present(value)) {
            return null;
        }
        String v = value.trim();
        if (v.length() > TEXT_MAX) {
            throw new InvalidParameterException(name, "at most " + TEXT_MAX + " characters");
        }
        return v;
    }

    /** Words separated by white space, each of which must occur. */
    static List<String> words(String name, String value) {
        if (!present(value)) {
            return List.of();
        }
        List<String> words = Arrays.stream(value.trim().split("\\s+")).filter(w -> !w.isEmpty()).distinct().toList();
        if (words.size() > SUBJECT_WORDS_MAX || words.stream().anyMatch(w -> w.length() > TEXT_MAX)) {
            throw new InvalidParameterException(name, "at most " + SUBJECT_WORDS_MAX + " words of at most " + TEXT_MAX
                    + " characters");
        }
        return words;
    }

    static boolean bool(String name, String value) {
        if (!present(value)) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidParameterException(name, "expected true or false, got '" + shorten(value) + "'");
        };
    }

    static DeletedFilter deleted(String name, String value) {
        if (!present(value)) {
            return DeletedFilter.INCLUDE;
        }
        try {
            return DeletedFilter.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(name, "expected include, exclude or only, got '" + shorten(value) + "'");
        }
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** Echoes at most 80 characters of a bad value back. */
    private static String shorten(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
