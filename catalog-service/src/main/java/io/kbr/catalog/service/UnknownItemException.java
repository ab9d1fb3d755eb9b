package io.kbr.catalog.service;

/** No event of this item has reached the catalog. */
public class UnknownItemException extends RuntimeException {
    public UnknownItemException(String storeHex, String sourceKeyHex) {
        super("Item " + sourceKeyHex + " of store " + storeHex + " is not in the catalog");
    }
}
