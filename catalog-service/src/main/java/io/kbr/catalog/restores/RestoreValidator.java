package io.kbr.catalog.restores;

import io.kbr.catalog.service.InvalidParameterException;
import io.kbr.events.schema.RestoreConflictMode;
import io.kbr.events.schema.RestorePeriodField;
import io.kbr.events.schema.RestoreRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a {@link RestoreRequestBody} and turns it into the {@link RestoreRequest} published on
 * {@code kbr.restore.requests}. Every problem is an {@link InvalidParameterException} naming the JSON field
 * (dotted path, e.g. {@code selection.period.from}), so the API answers 400 {error, detail}. Pure logic:
 * whether the store exists is checked by the caller.
 */
public final class RestoreValidator {
    private static final Pattern HEX = Pattern.compile("^[0-9A-Fa-f]+$");
    public static final int MAX_SOURCE_KEYS = 100_000;

    private RestoreValidator() {
    }

    /**
     * @param sourceServerId the server the source store is on (from the catalog), used when no target server is given
     */
    public static RestoreRequest validate(RestoreRequestBody body, String jobId, Instant now, String sourceServerId) {
        if (body == null) {
            throw new InvalidParameterException("body", "a JSON object with 'selection' is required");
        }
        RestoreRequestBody.Selection s = body.selection();
        if (s == null) {
            throw new InvalidParameterException("selection", "is required");
        }
        String storeGuid = hex("selection.storeGuid", s.storeGuid(), true, 32);
        RestoreRequest.Builder r = RestoreRequest.newBuilder()
                .setJobId(jobId)
                .setRequestedAtMillis(now.toEpochMilli())
                .setStoreGuid(storeGuid.toUpperCase(Locale.ROOT));
        List<String> keys = new ArrayList<>();
        if (s.sourceKeys() != null) {
            if (s.sourceKeys().size() > MAX_SOURCE_KEYS) {
                throw new InvalidParameterException("selection.sourceKeys", "at most " + MAX_SOURCE_KEYS + " sourcekeys per request");
            }
            for (int i = 0; i < s.sourceKeys().size(); i++) {
                keys.add(hex("selection.sourceKeys[" + i + "]", s.sourceKeys().get(i), true, 0).toUpperCase(Locale.ROOT));
            }
        }
        r.setSourceKeys(keys);
        boolean filter = s.sender() != null || s.recipient() != null || (s.subjectWords() != null && !s.subjectWords().isEmpty())
                || s.period() != null || s.folderSourceKey() != null || Boolean.TRUE.equals(s.deletedOnly());
        boolean metadataOnly = Boolean.TRUE.equals(body.metadataOnly());
        if (metadataOnly) {
            if (!keys.isEmpty() || filter) {
                throw new InvalidParameterException("metadataOnly", "restores the store's metadata alone: give no sourceKeys and no filter");
            }
            if (Boolean.FALSE.equals(body.includeMetadata())) {
                throw new InvalidParameterException("includeMetadata", "cannot be false with metadataOnly");
            }
        } else if (keys.isEmpty() && !filter) {
            throw new InvalidParameterException("selection", "give 'sourceKeys' or at least one filter (sender, recipient, subjectWords, period, folderSourceKey, deletedOnly), or metadataOnly");
        }
        if (!keys.isEmpty() && filter) {
            throw new InvalidParameterException("selection.sourceKeys", "cannot be combined with filter fields");
        }
        r.setMetadataOnly(metadataOnly);
        r.setSender(text("selection.sender", s.sender()));
        r.setRecipient(text("selection.recipient", s.recipient()));
        List<String> words = new ArrayList<>();
        if (s.subjectWords() != null) {
            for (int i = 0; i < s.subjectWords().size(); i++) {
                words.add(text("selection.subjectWords[" + i + "]", s.subjectWords().get(i)));
            }
        }
        r.setSubjectWords(words);
        if (s.period() != null) {
            RestoreRequestBody.Period p = s.period();
            if (p.field() == null) {
                throw new InvalidParameterException("selection.period.field", "is required: DELIVERY_TIME or LAST_MODIFIED");
            }
            try {
                r.setPeriodField(RestorePeriodField.valueOf(p.field().trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InvalidParameterException("selection.period.field", "must be DELIVERY_TIME or LAST_MODIFIED, not '" + p.field() + "'");
            }
            Instant from = instant("selection.period.from", p.from());
            Instant to = instant("selection.period.to", p.to());
            if (from == null && to == null) {
                throw new InvalidParameterException("selection.period", "give 'from', 'to' or both");
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new InvalidParameterException("selection.period.to", "must be after 'from'");
            }
            r.setPeriodFromMillis(from == null ? null : from.toEpochMilli());
            r.setPeriodToMillis(to == null ? null : to.toEpochMilli());
        }
        if (s.folderSourceKey() != null) {
            r.setFolderSourceKey(hex("selection.folderSourceKey", s.folderSourceKey(), true, 0).toUpperCase(Locale.ROOT));
        } else if (Boolean.TRUE.equals(s.includeSubfolders())) {
            throw new InvalidParameterException("selection.includeSubfolders", "needs 'folderSourceKey'");
        }
        r.setIncludeSubfolders(Boolean.TRUE.equals(s.includeSubfolders()));
        r.setDeletedOnly(Boolean.TRUE.equals(s.deletedOnly()));
        Instant asOf = instant("asOf", body.asOf());
        if (asOf != null && asOf.isAfter(now)) {
            throw new InvalidParameterException("asOf", "is in the future");
        }
        r.setAsOfMillis(asOf == null ? null : asOf.toEpochMilli());
        RestoreRequestBody.Target t = body.target();
        String server = t == null || t.serverId() == null ? sourceServerId : text("target.serverId", t.serverId());
        if (server == null) {
            throw new InvalidParameterException("target.serverId", "is required (the source store's server is not known)");
        }
        r.setTargetServerId(server);
        String targetStore = t == null || t.storeGuid() == null ? storeGuid : hex("target.storeGuid", t.storeGuid(), true, 32);
        r.setTargetStoreGuid(targetStore.toUpperCase(Locale.ROOT));
        r.setRestoreRoot(t == null ? null : restoreRoot(t.restoreRoot()));
        String mode = body.conflictMode() == null ? "SKIP" : body.conflictMode().trim().toUpperCase(Locale.ROOT);
        try {
            r.setConflictMode(RestoreConflictMode.valueOf(mode));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("conflictMode", "must be SKIP, OVERWRITE or KEEP_BOTH, not '" + body.conflictMode() + "'");
        }
        r.setIncludeMetadata(metadataOnly || Boolean.TRUE.equals(body.includeMetadata()));
        return r.build();
    }

    private static String hex(String field, String value, boolean required, int length) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new InvalidParameterException(field, "is required");
            }
            return null;
        }
        String v = value.trim();
        if (!HEX.matcher(v).matches() || v.length() % 2 != 0) {
            throw new InvalidParameterException(field, "must be an even number of hex digits");
        }
        if (length > 0 && v.length() != length) {
            throw new InvalidParameterException(field, "must be " + length + " hex digits");
        }
        return v;
    }

    private static String text(String field, String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw new InvalidParameterException(field, "must not be blank");
        }
        if (value.length() > 1024) {
            throw new InvalidParameterException(field, "at most 1024 characters");
        }
        return value.trim();
    }

    private static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidParameterException(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static String restoreRoot(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        while (v.startsWith("/")) {
            v = v.substring(1);
        }
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.isEmpty()) {
            throw new InvalidParameterException("target.restoreRoot", "must name at least one folder");
        }
        for (String part : v.split("/")) {
            if (part.isBlank()) {
                throw new InvalidParameterException("target.restoreRoot", "has an empty folder name");
            }
            if (part.length() > 255) {
                throw new InvalidParameterException("target.restoreRoot", "a folder name is longer than 255 characters");
            }
        }
        return v;
    }
}
