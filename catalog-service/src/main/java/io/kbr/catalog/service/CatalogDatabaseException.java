package io.kbr.catalog.service;

/** A query of the catalog database failed; the API answers 503 without details. */
public class CatalogDatabaseException extends RuntimeException {
    public CatalogDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
