package io.kbr.kopano.write;

import java.nio.file.Path;

/**
 * Where a Kopano server keeps attachment data and PR_EC_IMAP_EMAIL (§7.1): the value of
 * {@code settings.attachment_storage} plus {@code attachment_path} and {@code attachment_compression}.
 */
public record AttachmentStorage(Kind kind, Path path, int compression) {

    /** The backends of §7: {@code database} (lob table), {@code files} (files_v1-10-20, optional gzip), {@code files_v2}. */
    public enum Kind {
        DATABASE("database"),
        FILES("files"),
        FILES_V2("files_v2");

        private final String settingValue;

        Kind(String settingValue) {
            this.settingValue = settingValue;
        }

        /** The value kopano-server writes into {@code settings.attachment_storage}. */
        public String settingValue() {
            return settingValue;
        }

        /** Parses a {@code settings.attachment_storage} value; unknown values mean {@code database} (§7.1). */
        public static Kind fromSetting(String value) {
            if (value == null) {
                return DATABASE;
            }
            if (value.equals("files") || value.startsWith("files_v1")) {
                return FILES;
            }
            return value.equals("files_v2") ? FILES_V2 : DATABASE;
        }
    }

    public AttachmentStorage {
        if (kind != Kind.DATABASE && path == null) {
            throw new IllegalArgumentException(kind.settingValue() + " attachment storage needs an attachment_path");
        }
    }

    public static AttachmentStorage database() {
        return new AttachmentStorage(Kind.DATABASE, null, 0);
    }

    public static AttachmentStorage files(Path path, int compression) {
        return new AttachmentStorage(Kind.FILES, path, compression);
    }

    public static AttachmentStorage filesV2(Path path) {
        return new AttachmentStorage(Kind.FILES_V2, path, 0);
    }
}
