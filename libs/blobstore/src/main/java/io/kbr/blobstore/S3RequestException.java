package io.kbr.blobstore;

import java.io.IOException;

/** The S3 server answered a request with an error status. */
final class S3RequestException extends IOException {

    private final int status;
    private final String code;

    /**
     * @param status HTTP status, or -1 when unknown
     * @param code   S3 error code such as {@code SlowDown} or {@code NoSuchKey}, or null
     */
    S3RequestException(int status, String code, String message, Throwable cause) {
        super((status > 0 ? "HTTP " + status : "HTTP status unknown") + (code == null ? "" : " " + code) + ": "
                + message, cause);
        this.status = status;
        this.code = code;
    }

    S3RequestException(int status, String code, String message) {
        this(status, code, message, null);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    boolean isNotFound() {
        return status == 404 || "NoSuchKey".equals(code);
    }
}
