package io.kbr.catalog.model;

/** What a StoreChange says about a store: its owner, type and metadata blob ({@code metadata} may be null). */
public record StoreDescription(String userName, int storeType, BlobReference metadata) {
}
