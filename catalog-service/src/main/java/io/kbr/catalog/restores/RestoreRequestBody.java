package io.kbr.catalog.restores;

import java.util.List;

/**
 * The JSON body of {@code POST /api/v1/restores}. Everything optional is nullable; {@link RestoreValidator}
 * checks it and names the offending field.
 */
public record RestoreRequestBody(Selection selection, String asOf, Target target, String conflictMode,
        Boolean includeMetadata, Boolean metadataOnly) {

    /** The JSON form; {@code metadataOnly}: the store's metadata alone, no items (selection gives only the store). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public RestoreRequestBody {
    }

    public RestoreRequestBody(Selection selection, String asOf, Target target, String conflictMode, Boolean includeMetadata) {
        this(selection, asOf, target, conflictMode, includeMetadata, null);
    }

    /** Either {@code sourceKeys}, or a filter (at least one of the filter fields). */
    public record Selection(String storeGuid, List<String> sourceKeys, String sender, String recipient,
            List<String> subjectWords, Period period, String folderSourceKey, Boolean includeSubfolders,
            Boolean deletedOnly) {
    }

    /** A period on delivery time ({@code DELIVERY_TIME}) or last-modified time ({@code LAST_MODIFIED}); to is exclusive. */
    public record Period(String field, String from, String to) {
    }

    /** Where to restore: default the source store on its own server. */
    public record Target(String serverId, String storeGuid, String restoreRoot) {
    }
}
