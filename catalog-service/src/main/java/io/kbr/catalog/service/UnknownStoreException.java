package io.kbr.catalog.service;

/** No event of this store has reached the catalog. */
public class UnknownStoreException extends RuntimeException {
    public UnknownStoreException(String guidHex) {
        super("Store " + guidHex + " is not in the catalog");
    }
}
