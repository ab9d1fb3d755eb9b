package io.kbr.catalog.model;

/** A content-addressed blob: lower-case hex SHA-256 of the plaintext and its size. */
public record BlobReference(String sha256, long size) {
}
