package io.kbr.kopano.mime;

import java.util.Map;

/** File name extensions for MIME types, for attachments without a file name (inetmapi's mime_type_to_ext). */
final class MimeExtensions {
    private static final Map<String, String> EXT = Map.ofEntries(
            Map.entry("text/plain", "txt"),
            Map.entry("text/html", "html"),
            Map.entry("text/calendar", "ics"),
            Map.entry("text/x-vcard", "vcf"),
            Map.entry("text/vcard", "vcf"),
            Map.entry("text/csv", "csv"),
            Map.entry("text/xml", "xml"),
            Map.entry("text/enriched", "txt"),
            Map.entry("text/richtext", "rtx"),
            Map.entry("text/rfc822-headers", "txt"),
            Map.entry("image/jpeg", "jpg"),
            Map.entry("image/pjpeg", "jpg"),
            Map.entry("image/gif", "gif"),
            Map.entry("image/png", "png"),
            Map.entry("image/bmp", "bmp"),
            Map.entry("image/tiff", "tif"),
            Map.entry("image/svg+xml", "svg"),
            Map.entry("audio/mpeg", "mp3"),
            Map.entry("audio/basic", "au"),
            Map.entry("audio/x-wav", "wav"),
            Map.entry("video/mpeg", "mpg"),
            Map.entry("video/mp4", "mp4"),
            Map.entry("application/pdf", "pdf"),
            Map.entry("application/zip", "zip"),
            Map.entry("application/gzip", "gz"),
            Map.entry("application/x-gzip", "gz"),
            Map.entry("application/msword", "doc"),
            Map.entry("application/vnd.ms-excel", "xls"),
            Map.entry("application/vnd.ms-powerpoint", "ppt"),
            Map.entry("application/rtf", "rtf"),
            Map.entry("application/postscript", "ps"),
            Map.entry("application/pgp-signature", "asc"),
            Map.entry("application/pgp-encrypted", "pgp"),
            Map.entry("application/pkcs7-mime", "p7m"),
            Map.entry("application/x-pkcs7-mime", "p7m"),
            Map.entry("application/pkcs7-signature", "p7s"),
            Map.entry("application/x-pkcs7-signature", "p7s"),
            Map.entry("application/ms-tnef", "dat"),
            Map.entry("application/vnd.ms-tnef", "dat"),
            Map.entry("application/json", "json"),
            Map.entry("application/xml", "xml"),
            Map.entry("application/ics", "ics"),
            Map.entry("message/rfc822", "eml"),
            Map.entry("message/delivery-status", "txt"),
            Map.entry("message/disposition-notification", "txt"));

    private MimeExtensions() {
    }

    /** The extension (without dot) for {@code mimeType}, or {@code fallback}. */
    static String forType(String mimeType, String fallback) {
        return EXT.getOrDefault(mimeType, fallback);
    }
}
