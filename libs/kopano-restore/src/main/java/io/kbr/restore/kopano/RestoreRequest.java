package io.kbr.restore.kopano;

import io.kbr.events.schema.ItemDocument;

/** One item of a restore batch: the backed-up document and the folder it was in. */
public record RestoreRequest(FolderSpec folder, ItemDocument doc) {
}
