package io.kbr.kopano.model;

/**
 * A reference to a large value kept in Kopano's single-instance layer (§7.2): attachment data
 * (tag 14081) or the original RFC 822 text PR_EC_IMAP_EMAIL (tag 26508).
 *
 * @param instanceId {@code singleinstances.instanceid}
 * @param tag        the property id (14081 or 26508)
 * @param filename   {@code singleinstances.filename}, used by files_v2 only; may be null
 */
public record BlobRef(long instanceId, int tag, String filename) {
}
