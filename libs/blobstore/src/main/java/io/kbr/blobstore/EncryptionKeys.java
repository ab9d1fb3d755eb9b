package io.kbr.blobstore;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys a deployment encrypts blobs with, by key id: one active key for new objects and any
 * number of older ones still needed to read what they encrypted (key rotation).
 */
public final class EncryptionKeys {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, SecretKey> keys;
    private final String activeKeyId;

    private EncryptionKeys(Map<String, SecretKey> keys, String activeKeyId) {
        this.keys = Map.copyOf(keys);
        this.activeKeyId = activeKeyId;
    }

    /**
     * Parses {@code id:base64key[,id:base64key…]} (each key 32 bytes, standard or URL-safe base64).
     *
     * @param activeKeyId the key for new objects; null means the first one listed
     * @throws IllegalArgumentException naming the entry that is wrong
     */
    public static EncryptionKeys parse(String spec, String activeKeyId) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no encryption keys given (expected id:base64key[,id:base64key...])");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            int colon = e.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("encryption key entry '" + redact(e) + "' is not id:base64key");
            }
            String id = e.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("encryption key id '" + id + "' must be 1-64 of [A-Za-z0-9._-]");
            }
            byte[] key;
            try {
                String b64 = e.substring(colon + 1).trim();
                key = b64.contains("-") || b64.contains("_") ? Base64.getUrlDecoder().decode(b64) : Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("encryption key '" + id + "' is not valid base64");
            }
            if (key.length != 32) {
                throw new IllegalArgumentException("encryption key '" + id + "' has " + key.length + " bytes; AES-256 needs 32");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException("encryption key id '" + id + "' is given twice");
            }
        }
        String active = activeKeyId == null || activeKeyId.isBlank() ? keys.keySet().iterator().next() : activeKeyId;
        if (!keys.containsKey(active)) {
            throw new IllegalArgumentException("active encryption key id '" + active + "' is not among the keys " + keys.keySet());
        }
        return new EncryptionKeys(keys, active);
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    SecretKey active() {
        return keys.get(activeKeyId);
    }

    Optional<SecretKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    static byte[] idBytes(String id) {
        return id.getBytes(StandardCharsets.US_ASCII);
    }

    private static String redact(String entry) {
        int colon = entry.indexOf(':');
        return colon < 0 ? "<" + entry.length() + " characters>" : entry.substring(0, colon) + ":…";
    }

    @Override
    public String toString() {
        return "EncryptionKeys[ids=" + keys.keySet() + ", active=" + activeKeyId + "]";
    }
}
