package io.kbr.catalog.model;

import java.util.List;

/** The folders of one store, parents before children, siblings by name. */
public record FolderTree(String storeGuid, List<FolderNode> folders) {
}
