package io.kbr.catalog.model;

import java.util.List;

/** One page of items; {@code nextCursor} is null on the last page. */
public record ItemPage(List<ItemSummary> items, String nextCursor) {
}
