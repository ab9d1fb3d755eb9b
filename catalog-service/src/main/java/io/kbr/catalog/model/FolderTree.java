package io.kbr.catalog.model;

import java.time.Instant;
import java.util.List;

/** The folders of one store, parents before children, siblings by name; {@code asOf} is null for the current state. */
public record FolderTree(String storeGuid, Instant asOf, List<FolderNode> folders) {
}
