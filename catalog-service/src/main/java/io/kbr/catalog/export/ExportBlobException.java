package io.kbr.catalog.export;

/**
 * A blob an export needs is corrupt (its content does not hash to its name) or missing from the object store: the
 * export is not produced (or, for an mbox already streaming, the transfer is aborted) and the message names the item,
 * the blob and the object.
 */
public class ExportBlobException extends RuntimeException {
    private final boolean missing;

    public ExportBlobException(String message, boolean missing, Throwable cause) {
        super(message, cause);
        this.missing = missing;
    }

    /** True for a missing blob, false for a corrupt one. */
    public boolean missing() {
        return missing;
    }
}
