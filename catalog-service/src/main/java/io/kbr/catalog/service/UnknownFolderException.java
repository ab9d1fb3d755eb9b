package io.kbr.catalog.service;

/** The store has no folder with this sourcekey. */
public class UnknownFolderException extends RuntimeException {
    public UnknownFolderException(String store, String sourceKey) {
        super("Store " + store + " has no folder " + sourceKey);
    }
}
