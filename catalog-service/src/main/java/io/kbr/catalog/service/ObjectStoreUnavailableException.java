package io.kbr.catalog.service;

/** Garbage collection needs the object store, and none is configured ({@code kbr.catalog.object-store.endpoint}). */
public class ObjectStoreUnavailableException extends RuntimeException {
    public ObjectStoreUnavailableException(String message) {
        super(message);
    }
}
