package io.kbr.blobstore;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link BlobStore#scrub()} found: how much it re-read and verified, and every object or pack entry
 * that failed verification, with the reason.
 *
 * @param verified    blobs and pack entries whose content matched their hash
 * @param plainBytes  plaintext bytes verified
 * @param problems    what failed; empty when everything is intact
 */
public record ScrubReport(long verified, long plainBytes, List<Problem> problems) {

    /** One failure: the object key, the blob (for a pack entry; else null) and what is wrong. */
    public record Problem(String key, String sha256, String message) {
    }

    public boolean clean() {
        return problems.isEmpty();
    }

    static final class Builder {
        private long verified;
        private long plainBytes;
        private final List<Problem> problems = new ArrayList<>();

        void verified(String where, long bytes) {
            verified++;
            plainBytes += bytes;
        }

        void problem(String key, String sha256, String message) {
            problems.add(new Problem(key, sha256, message));
        }

        ScrubReport build() {
            return new ScrubReport(verified, plainBytes, List.copyOf(problems));
        }
    }
}
