package io.kbr.catalog.model;

/** One recipient of an item. {@code kind} is PR_RECIPIENT_TYPE: 1 To, 2 Cc, 3 Bcc. */
public record Recipient(int kind, String name, String email) {
}
