package io.kbr.restore.kopano;

import java.util.List;

/**
 * What a metadata restore wrote (KOPANO-STORAGE.md §9) and what it could not.
 *
 * @param settings  store-object settings written (§9.4)
 * @param rules     whether the Inbox rules blob was written (§9.1)
 * @param acls      ACL rows written (§9.2)
 * @param delegates delegate entries written on the LocalFreebusy message (§9.3)
 * @param problems  one sentence per entry that was not restored (unknown grantee, folder not in the target, …)
 */
public record MetadataOutcome(int settings, boolean rules, int acls, int delegates, List<String> problems) {
    public MetadataOutcome {
        problems = List.copyOf(problems);
    }
}
