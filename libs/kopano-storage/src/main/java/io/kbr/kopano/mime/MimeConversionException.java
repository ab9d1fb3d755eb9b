package io.kbr.kopano.mime;

/**
 * The input handed to {@link MimeToMapi} is not an RFC 822 message at all (empty, or binary data without a
 * header). Soft problems inside a message (bad dates, unknown charsets, broken encodings) never raise this;
 * they are converted as well as possible and reported as {@link MimeToMapi.Conversion#notes()}.
 */
public class MimeConversionException extends Exception {
    public MimeConversionException(String message) {
        super(message);
    }

    public MimeConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
